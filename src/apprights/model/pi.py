"""The canonical personal-information (PI) types.

One vocabulary shared by the sensitive-API catalogue, the SDK catalogue, the policy lexicon, the trace reader
and the 39-category table, so that "collected", "declared" and "necessary" can be compared by equality.
"""

from __future__ import annotations

from enum import StrEnum


class PIType(StrEnum):
    DEVICE_ID = "device_id"  # IMEI / MEID
    IMSI = "imsi"  # IMSI (subscriber identity); SIM subscription info
    ICCID = "iccid"  # SIM card serial number (added for issue 8: getSimSerialNumber is not the IMSI)
    PHONE_NUMBER = "phone_number"
    ANDROID_ID = "android_id"
    SERIAL = "serial"
    MAC = "mac"
    WIFI = "wifi"  # SSID / BSSID / scan results
    IP = "ip"
    OAID = "oaid"  # OAID / VAID / AAID / GAID (advertising ids)
    CARRIER = "carrier"  # operator / cell info / base station
    INSTALLED_APPS = "installed_apps"  # 软件列表 / 应用安装列表 / running apps
    CLIPBOARD = "clipboard"
    LOCATION = "location"
    CONTACTS = "contacts"
    SMS = "sms"
    CALL_LOG = "call_log"
    CALENDAR = "calendar"
    CAMERA = "camera"
    MICROPHONE = "microphone"
    PHOTOS = "photos"  # media store / 相册
    SENSORS = "sensors"
    ACCOUNTS = "accounts"
    BROWSER_HISTORY = "browser_history"
    USAGE_STATS = "usage_stats"
    ID_NUMBER = "id_number"  # 身份证号
    BIOMETRIC = "biometric"  # 人脸 / 指纹 / 声纹
    NAME = "name"
    BANK_CARD = "bank_card"
    PAYMENT = "payment"
    ADDRESS = "address"
    DEVICE_INFO = "device_info"  # model, OS version, screen …: low sensitivity
    STORAGE = "storage"  # external files
    # personal data a user provides, after GB/T 35273-2020 appendix A (added for issue 12; values are stable)
    EMAIL = "email"
    GENDER = "gender"
    BIRTHDAY = "birthday"  # 生日 / 出生日期
    AGE = "age"
    NICKNAME = "nickname"  # 昵称 / 用户名 (not the real name)
    AVATAR = "avatar"
    PASSWORD = "password"  # 密码 / 口令 / 密保问题
    HEALTH = "health"  # 健康生理信息: medical records, physical data
    EDUCATION = "education"
    OCCUPATION = "occupation"  # 职业 / 职位 / 工作单位
    MARITAL_STATUS = "marital_status"
    VEHICLE_PLATE = "vehicle_plate"  # 车牌号
    ID_DOCUMENT = "id_document"  # passport, driving licence, other ID papers (not the resident ID card)
    ETHNICITY = "ethnicity"  # 民族 / 国籍
    RELIGION = "religion"
    CREDIT = "credit"  # 征信 / 信用记录 / 信贷记录


PI_LABELS: dict[PIType, tuple[str, str]] = {
    PIType.DEVICE_ID: ("设备识别码(IMEI/MEID)", "device identifier (IMEI/MEID)"),
    PIType.IMSI: ("国际移动用户识别码(IMSI)", "subscriber identity (IMSI)"),
    PIType.ICCID: ("SIM卡序列号(ICCID)", "SIM serial number (ICCID)"),
    PIType.PHONE_NUMBER: ("手机号码", "phone number"),
    PIType.ANDROID_ID: ("Android ID", "Android ID"),
    PIType.SERIAL: ("设备序列号", "device serial number"),
    PIType.MAC: ("MAC地址", "MAC address"),
    PIType.WIFI: ("WiFi信息(SSID/BSSID)", "Wi-Fi information (SSID/BSSID)"),
    PIType.IP: ("IP地址", "IP address"),
    PIType.OAID: ("OAID/广告标识符", "OAID / advertising identifier"),
    PIType.CARRIER: ("运营商及基站信息", "carrier and cell information"),
    PIType.INSTALLED_APPS: ("软件安装列表", "installed application list"),
    PIType.CLIPBOARD: ("剪切板", "clipboard"),
    PIType.LOCATION: ("位置信息", "location"),
    PIType.CONTACTS: ("通讯录", "contacts"),
    PIType.SMS: ("短信", "SMS"),
    PIType.CALL_LOG: ("通话记录", "call log"),
    PIType.CALENDAR: ("日历", "calendar"),
    PIType.CAMERA: ("相机", "camera"),
    PIType.MICROPHONE: ("麦克风/录音", "microphone"),
    PIType.PHOTOS: ("相册/媒体文件", "photos and media"),
    PIType.SENSORS: ("传感器", "sensors"),
    PIType.ACCOUNTS: ("账户信息", "accounts"),
    PIType.BROWSER_HISTORY: ("浏览记录", "browsing history"),
    PIType.USAGE_STATS: ("应用使用情况", "app usage statistics"),
    PIType.ID_NUMBER: ("身份证号码", "ID card number"),
    PIType.BIOMETRIC: ("生物识别信息(人脸/指纹)", "biometrics (face/fingerprint)"),
    PIType.NAME: ("姓名", "name"),
    PIType.BANK_CARD: ("银行卡号", "bank card number"),
    PIType.PAYMENT: ("支付信息", "payment information"),
    PIType.ADDRESS: ("地址", "address"),
    PIType.DEVICE_INFO: ("设备信息(型号/系统版本)", "device information (model/OS)"),
    PIType.STORAGE: ("存储/文件", "storage and files"),
    PIType.EMAIL: ("电子邮箱", "email address"),
    PIType.GENDER: ("性别", "gender"),
    PIType.BIRTHDAY: ("出生日期", "date of birth"),
    PIType.AGE: ("年龄", "age"),
    PIType.NICKNAME: ("昵称/用户名", "nickname / username"),
    PIType.AVATAR: ("头像", "avatar"),
    PIType.PASSWORD: ("密码/口令", "password"),
    PIType.HEALTH: ("健康生理信息", "health information"),
    PIType.EDUCATION: ("教育信息(学历/学位)", "education"),
    PIType.OCCUPATION: ("职业/工作信息", "occupation and employer"),
    PIType.MARITAL_STATUS: ("婚姻状况", "marital status"),
    PIType.VEHICLE_PLATE: ("车牌号", "vehicle plate number"),
    PIType.ID_DOCUMENT: (
        "其他身份证件(护照/驾驶证等)",
        "other identity documents (passport, driving licence)",
    ),
    PIType.ETHNICITY: ("民族/国籍", "ethnicity / nationality"),
    PIType.RELIGION: ("宗教信仰", "religious belief"),
    PIType.CREDIT: ("征信/信用信息", "credit history"),
}

# Device identifiers are never in any category's necessary set (CRITERIA.md §2.2 [I]).
DEVICE_IDENTIFIERS: frozenset[PIType] = frozenset(
    {PIType.DEVICE_ID, PIType.IMSI, PIType.ICCID, PIType.ANDROID_ID, PIType.SERIAL, PIType.MAC, PIType.OAID}
)


def pi_label(pi: PIType | str, lang: str = "zh") -> str:
    """The human label of a PI type in ``zh`` or ``en``."""
    try:
        zh, en = PI_LABELS[PIType(pi)]
    except ValueError:
        return str(pi)
    return zh if lang == "zh" else en
