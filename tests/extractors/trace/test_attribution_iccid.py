"""Issue 8: a hooked SIM-serial read in a trace is the ICCID, its own PI type (not the IMSI), with the packaged
catalogue the runtime side uses."""

from __future__ import annotations

from apprights.extractors.trace.attribution import ApiClassifier
from apprights.model.pi import DEVICE_IDENTIFIERS, PIType, pi_label
from apprights.testing.factories import make_knowledge


def test_sim_serial_reads_are_iccid_and_subscriber_id_is_imsi() -> None:
    cls = ApiClassifier(make_knowledge())
    for api in (
        "android.telephony.TelephonyManager.getSimSerialNumber",
        "android.telephony.SubscriptionInfo.getIccId",
    ):
        m = cls.classify(api, [])
        assert m is not None and m.pi_type == "iccid", api
    imsi = cls.classify("android.telephony.TelephonyManager.getSubscriberId", [])
    assert imsi is not None and imsi.pi_type == "imsi"
    assert PIType.ICCID in DEVICE_IDENTIFIERS and pi_label("iccid", "en") == "SIM serial number (ICCID)"
