"""Sample documents for the renderer tests (realistic content, one hostile app name)."""

from __future__ import annotations

from datetime import date

from apprights.service.documents import (
    NoticeProblem,
    PublicNotice,
    PublicNoticeRow,
    RectificationNotice,
    RemovalOrder,
    RemovalRow,
)

HOSTILE_NAME = '掌上新闻<script>alert("x")</script>'
ISSUER = "工业和信息化部信息通信管理局"


def rectification_notice(app_name: str = "掌上新闻") -> RectificationNotice:
    return RectificationNotice(
        notice_no="工信管函〔2026〕第128号",
        issued_on=date(2026, 9, 30),
        deadline=date(2026, 10, 13),
        enterprise_name="北京某某科技有限公司",
        enterprise_uscc="91110108MA01ABCD2X",
        app_name=app_name,
        package="com.example.news",
        version="5.2.0",
        store="华为应用市场",
        issuer=ISSUER,
        problems=[
            NoticeProblem(
                1,
                "违规收集个人信息",
                "用户同意隐私政策前收集设备标识符（IMEI）",
                [
                    "t=1.2s TelephonyManager.getDeviceId，调用方 com.umeng.commonsdk",
                    "t=1.9s 向 ulogs.umeng.com 发送IMEI",
                ],
            ),
            NoticeProblem(5, "APP强制、频繁、过度索取权限", "首次启动一次性申请3项权限", []),
        ],
    )


def public_notice(first_app: str = "掌上新闻") -> PublicNotice:
    return PublicNotice(
        title="关于侵害用户权益行为的APP通报",
        batch_no="2026年第8批",
        issued_on=date(2026, 11, 20),
        intro="近期，工业和信息化部组织第三方检测机构对手机应用软件进行检查，尚有以下APP未完成整改。",
        issuer=ISSUER,
        rows=[
            PublicNoticeRow(first_app, "北京某某科技有限公司", "华为应用市场", "5.2.0", ["违规收集个人信息"]),
            PublicNoticeRow(
                "快看天气", "深圳某某网络有限公司", "小米应用商店", "3.1.4", ["超范围收集个人信息"]
            ),
            # same app/store/version again: merged into the row above, problems joined with 、
            PublicNoticeRow(
                "快看天气",
                "深圳某某网络有限公司",
                "小米应用商店",
                "3.1.4",
                ["欺骗误导用户下载APP", "超范围收集个人信息"],
            ),
            PublicNoticeRow("快看天气", "深圳某某网络有限公司", "应用宝", "3.1.4", ["欺骗误导用户下载APP"]),
        ],
    )


def removal_order(first_app: str = "掌上新闻") -> RemovalOrder:
    return RemovalOrder(
        title="关于下架侵害用户权益APP的通知",
        issued_on=date(2026, 11, 27),
        issuer=ISSUER,
        rows=[
            RemovalRow(first_app, "北京某某科技有限公司", "5.2.0"),
            RemovalRow("速读小说", "杭州某某信息技术有限公司", "2.0.1"),
        ],
    )
