"""The demo company's data: products, organisation, Chinese names and texts (used by demo_seed)."""

from aftersales.accounts.choices import Role
from aftersales.catalog.choices import ModelKind
from aftersales.workorders.choices import (
    Channel,
    Priority,
    ProposedHandling,
    State,
    WaitingReason,
    WorkOrderType,
)

# --- reference data ----------------------------------------------------------------------

PRODUCT_LINES = [
    ("PRN", "打印机"),
    ("COP", "复印机"),
    ("SCN", "扫描仪"),
    ("CON", "耗材"),
    ("PRT", "配件"),
]
DEVICE_LINES = ["PRN", "COP", "SCN"]

PRODUCT_MODELS = [
    # line, code, name, kind, warranty months
    ("PRN", "LP-2200", "黑白激光打印机", ModelKind.DEVICE, 12),
    ("PRN", "LP-3600DN", "黑白激光打印机（双面网络）", ModelKind.DEVICE, 24),
    ("PRN", "CP-4500", "彩色激光打印机", ModelKind.DEVICE, 12),
    ("PRN", "IJ-800", "喷墨打印机", ModelKind.DEVICE, 12),
    ("PRN", "DP-120K", "针式票据打印机", ModelKind.DEVICE, 12),
    ("COP", "MF-3020", "黑白数码复合机", ModelKind.DEVICE, 12),
    ("COP", "MF-4535C", "彩色数码复合机", ModelKind.DEVICE, 24),
    ("COP", "MF-6055", "高速黑白复合机", ModelKind.DEVICE, 24),
    ("COP", "MF-7570C", "彩色生产型复合机", ModelKind.DEVICE, 36),
    ("SCN", "SC-1200", "高速文档扫描仪", ModelKind.DEVICE, 12),
    ("SCN", "SC-600F", "平板扫描仪", ModelKind.DEVICE, 12),
    ("CON", "TN-2200", "LP-2200 原装墨粉盒", ModelKind.CONSUMABLE, 3),
    ("CON", "TN-4500K", "CP-4500 彩色墨粉盒（黑）", ModelKind.CONSUMABLE, 3),
    ("CON", "TN-4500C", "CP-4500 彩色墨粉盒（青）", ModelKind.CONSUMABLE, 3),
    ("CON", "DR-3020", "MF-3020 感光鼓组件", ModelKind.CONSUMABLE, 6),
    ("CON", "INK-800", "IJ-800 墨盒套装", ModelKind.CONSUMABLE, 3),
    ("PRT", "FU-3600", "LP-3600DN 定影组件", ModelKind.PART, 6),
    ("PRT", "PR-6055", "MF-6055 搓纸轮组件", ModelKind.PART, 6),
    ("PRT", "TB-7570", "MF-7570C 转印带", ModelKind.PART, 6),
    ("PRT", "MB-2200", "LP-2200 主板", ModelKind.PART, 6),
]

DEALERS = [
    ("DL-GD", "广州粤华办公设备有限公司", "黄志强", "13922001188"),
    ("DL-SC", "成都蜀信科技有限公司", "李文斌", "13808006622"),
    ("DL-HB", "武汉楚天办公设备有限公司", "周建华", "13907105566"),
]

# code, name, dealer code (None: HQ), province, city, district, address, lat, lng, phone, lines
SERVICE_POINTS = [
    (
        "HQ-SH",
        "上海浦东服务中心",
        None,
        "上海市",
        "上海市",
        "浦东新区",
        "张江路 368 号 2 幢 1 楼",
        "31.203900",
        "121.590100",
        "02150801234",
        ["PRN", "COP", "SCN", "CON", "PRT"],
    ),
    (
        "HQ-BJ",
        "北京朝阳服务中心",
        None,
        "北京市",
        "北京市",
        "朝阳区",
        "建国路 88 号 SOHO 现代城 B 座 1203",
        "39.908600",
        "116.467900",
        "01065881234",
        ["PRN", "COP", "SCN", "CON", "PRT"],
    ),
    (
        "HQ-HZ",
        "杭州西湖服务站",
        None,
        "浙江省",
        "杭州市",
        "西湖区",
        "文三路 259 号昌地火炬大厦 1 号楼 5 层",
        "30.278300",
        "120.128400",
        "057188261234",
        ["PRN", "COP", "CON", "PRT"],
    ),
    (
        "HQ-NJ",
        "南京鼓楼服务站",
        None,
        "江苏省",
        "南京市",
        "鼓楼区",
        "中山北路 105 号 6 楼",
        "32.066400",
        "118.769700",
        "02583301234",
        ["PRN", "COP", "SCN", "CON"],
    ),
    (
        "GD-GZ",
        "粤华广州天河服务部",
        "DL-GD",
        "广东省",
        "广州市",
        "天河区",
        "天河路 385 号太古汇一座 9 楼",
        "23.134300",
        "113.332100",
        "02038881234",
        ["PRN", "COP", "CON", "PRT"],
    ),
    (
        "GD-SZ",
        "粤华深圳南山服务部",
        "DL-GD",
        "广东省",
        "深圳市",
        "南山区",
        "科技园南区高新南七道 12 号",
        "22.533300",
        "113.946000",
        "075586001234",
        ["PRN", "COP", "CON"],
    ),
    (
        "SC-CD",
        "蜀信成都武侯服务部",
        "DL-SC",
        "四川省",
        "成都市",
        "武侯区",
        "人民南路四段 27 号商鼎国际 1 栋",
        "30.620600",
        "104.067200",
        "02885201234",
        ["PRN", "COP", "SCN", "CON"],
    ),
    (
        "SC-CQ",
        "蜀信重庆渝中服务部",
        "DL-SC",
        "重庆市",
        "重庆市",
        "渝中区",
        "民族路 188 号环球金融中心 21 楼",
        "29.557400",
        "106.577000",
        "02363701234",
        ["PRN", "COP", "CON"],
    ),
    (
        "HB-WH",
        "楚天武汉江汉服务部",
        "DL-HB",
        "湖北省",
        "武汉市",
        "江汉区",
        "建设大道 568 号新世界国贸大厦 I 座",
        "30.590700",
        "114.266000",
        "02785601234",
        ["PRN", "COP", "SCN", "CON", "PRT"],
    ),
    (
        "HB-CS",
        "楚天长沙岳麓服务部",
        "DL-HB",
        "湖南省",
        "长沙市",
        "岳麓区",
        "麓谷大道 627 号新长海中心 B1 栋",
        "28.231700",
        "112.882000",
        "073188901234",
        ["PRN", "COP", "CON"],
    ),
]

# Where customers are: (province, city, districts, dealer code or None)
CUSTOMER_REGIONS = [
    ("上海市", "上海市", ["浦东新区", "徐汇区", "静安区", "闵行区", "杨浦区"], None),
    ("北京市", "北京市", ["朝阳区", "海淀区", "东城区", "丰台区"], None),
    ("浙江省", "杭州市", ["西湖区", "滨江区", "余杭区", "拱墅区"], None),
    ("浙江省", "宁波市", ["鄞州区", "海曙区"], None),
    ("江苏省", "南京市", ["鼓楼区", "建邺区", "江宁区"], None),
    ("江苏省", "苏州市", ["工业园区", "姑苏区", "吴中区"], None),
    ("广东省", "广州市", ["天河区", "越秀区", "海珠区", "番禺区"], "DL-GD"),
    ("广东省", "深圳市", ["南山区", "福田区", "宝安区", "龙岗区"], "DL-GD"),
    ("四川省", "成都市", ["武侯区", "锦江区", "高新区", "青羊区"], "DL-SC"),
    ("重庆市", "重庆市", ["渝中区", "江北区", "九龙坡区"], "DL-SC"),
    ("湖北省", "武汉市", ["江汉区", "洪山区", "武昌区"], "DL-HB"),
    ("湖南省", "长沙市", ["岳麓区", "芙蓉区", "天心区"], "DL-HB"),
]
AREA_CODES = {
    "上海市": "021",
    "北京市": "010",
    "杭州市": "0571",
    "宁波市": "0574",
    "南京市": "025",
    "苏州市": "0512",
    "广州市": "020",
    "深圳市": "0755",
    "成都市": "028",
    "重庆市": "023",
    "武汉市": "027",
    "长沙市": "0731",
}

SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴莫孔汤"
)
GIVEN_CHARS = list(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红鹏飞辉建国志文斌宇浩凯婷雪琳晨欣怡佳子涵轩然博思颖梓睿"
)
COMPANY_WORDS = list("华瑞恒信宏达鼎盛嘉禾泰和新源博远金桥天成中科联创汇通东方长城永安德润启明")
COMPANY_KINDS = [
    "科技有限公司",
    "贸易有限公司",
    "医疗器械有限公司",
    "物流有限公司",
    "建筑设计有限公司",
    "教育咨询有限公司",
    "会计师事务所",
    "律师事务所",
    "制药有限公司",
    "电子有限公司",
    "实业有限公司",
    "文化传媒有限公司",
]
INSTITUTIONS = ["第一中学", "实验小学", "人民医院", "中医院", "图书馆", "不动产登记中心", "税务服务厅"]
STREETS = [
    "人民路",
    "中山路",
    "解放路",
    "建设路",
    "长江路",
    "和平路",
    "新华路",
    "文化路",
    "创业路",
    "科技路",
    "环城东路",
    "光明街",
    "青年路",
    "学府路",
    "滨江大道",
    "工业大道",
]
TITLES = ["行政主管", "IT 工程师", "办公室主任", "采购经理", "前台", "财务经理"]
MOBILE_PREFIXES = [
    "138",
    "139",
    "136",
    "137",
    "135",
    "150",
    "151",
    "152",
    "158",
    "159",
    "186",
    "187",
    "188",
    "189",
    "177",
    "180",
    "181",
    "182",
    "183",
    "185",
    "133",
    "153",
    "199",
]

SYMPTOMS = {
    "PRN": [
        ("打印时频繁卡纸，纸张在定影器处褶皱", "卡纸 J-13", "更换过非原装纸张"),
        ("打印件有纵向黑线，清洁后仍然存在", "", "上周更换过墨粉盒"),
        ("开机后面板报错，无法进入就绪状态", "E-003 定影器故障", "办公室曾经停电"),
        ("打印颜色偏淡，局部空白", "墨粉不足", ""),
        ("网络打印任务无法到达打印机", "", "公司更换了路由器"),
        ("双面打印时第二面错位", "", ""),
    ],
    "COP": [
        ("复印件出现灰底，整体发黑", "", "搬动过机器位置"),
        ("输稿器不进纸，原稿卡住", "卡纸 J-21 输稿器", ""),
        ("面板报 SC542，定影温度异常", "SC542", "近期频繁大批量复印"),
        ("扫描到邮箱失败", "SMTP 连接失败", "更换过邮箱密码"),
        ("纸盒 2 无法识别纸张尺寸", "纸盒 2 尺寸错误", ""),
        ("运行时有异响，类似齿轮打滑", "", "机器已使用约 5 年"),
    ],
    "SCN": [
        ("扫描图像有竖条纹", "", ""),
        ("扫描仪连接电脑后无法识别", "设备未找到", "电脑升级了操作系统"),
        ("双张检测频繁误报", "双张进纸", ""),
    ],
}
CONSULTATIONS = [
    "咨询如何设置双面打印默认值",
    "询问墨粉盒的购买渠道和价格",
    "咨询保修期限和保修范围",
    "询问扫描到共享文件夹的设置方法",
    "咨询驱动程序在哪里下载",
    "咨询设备年度保养合同",
]
FAULT_CATEGORIES = ["供纸系统", "定影系统", "成像系统", "电气控制", "网络与驱动", "机械传动", "光学系统"]
PROBABLE_CAUSES = [
    "搓纸轮磨损",
    "定影膜老化",
    "感光鼓划伤",
    "主板供电异常",
    "驱动程序版本不兼容",
    "传感器脏污",
    "齿轮断齿",
    "激光器组件老化",
]
# What the engineer did: on site (or at the depot), or on the phone / remote desktop.
RESOLUTIONS = [
    "更换搓纸轮并清洁进纸通道，测试打印 50 页正常。",
    "更换定影组件，校准温度，打印测试正常。",
    "清洁感光鼓与充电辊，调整浓度参数后输出正常。",
    "更换主板，升级固件至最新版本，功能测试通过。",
    "更换输稿器分离垫，连续输稿 100 张无卡纸。",
]
REMOTE_RESOLUTIONS = [
    "远程指导客户完成设置，问题解决。",
    "远程重新安装驱动并配置网络端口，客户确认可正常打印。",
    "电话回访指导客户清除打印队列并重启，客户确认恢复正常。",
]
ANSWERS = [
    "已在电话中指导客户完成设置，客户确认问题解决。",
    "已告知客户保修政策及官方购买渠道。",
    "已通过微信发送驱动下载链接和安装说明。",
]
NOTES_INTERNAL = [
    "已电话联系客户，约定上门时间。",
    "客户要求工程师携带定影组件备件。",
    "该客户为重点客户，请优先处理。",
    "备件已从总仓调拨，预计两天到货。",
    "已远程查看日志，疑似硬件故障。",
    "客户现场需要提前登记访客信息。",
]
NOTES_CUSTOMER = [
    "工程师将于明天上午到达现场，请保持电话畅通。",
    "您的设备已维修完成，感谢您的耐心等待。",
    "所需备件已到货，我们会尽快安排上门。",
]
CANCEL_NOTES = ["客户表示问题已自行解决", "重复报修，已合并到其他工单", "客户暂不需要服务"]
WAIT_NOTES = {
    WaitingReason.CUSTOMER: "客户本周出差，需下周再安排",
    WaitingReason.PARTS: "等待定影组件到货",
    WaitingReason.VENDOR: "主板已寄回厂家检测",
    WaitingReason.OTHER: "等待客户机房开放时间",
}

# How the ~500 work orders end up; every state appears at any scale.
FINAL_STATES = [
    (State.NEW, 8),
    (State.ACCEPTED, 7),
    (State.ASSIGNED, 9),
    (State.IN_SERVICE, 9),
    (State.WAITING, 7),
    (State.COMPLETED, 12),
    (State.CLOSED, 40),
    (State.CANCELLED, 8),
]
# How an assessed fault is to be handled (R7): work handled remotely gets no visit or part.
HANDLING = [
    (ProposedHandling.ON_SITE, 50),
    (ProposedHandling.REMOTE, 20),
    (ProposedHandling.REPAIR, 20),
    (ProposedHandling.REPLACE, 10),
]
TYPES = [
    (WorkOrderType.REPAIR, 50),
    (WorkOrderType.MAINTENANCE, 12),
    (WorkOrderType.INSTALLATION, 10),
    (WorkOrderType.CONSULTATION, 13),
    (WorkOrderType.RETURN_EXCHANGE, 5),
    (WorkOrderType.COMPLAINT, 5),
    (WorkOrderType.OTHER, 5),
]
CHANNELS = [
    (Channel.PHONE, 45),
    (Channel.WECHAT, 20),
    (Channel.PORTAL, 12),
    (Channel.EMAIL, 8),
    (Channel.WALK_IN, 8),
    (Channel.API, 7),
]
PRIORITIES = [(Priority.NORMAL, 60), (Priority.HIGH, 20), (Priority.LOW, 12), (Priority.URGENT, 8)]

# Demo logins: username, role, name (surname, given), dealer code
DEMO_USERS = [
    ("admin", Role.HQ_ADMIN, ("赵", "总管"), None),
    ("agent", Role.AGENT, ("陈", "晓雯"), None),
    ("agent2", Role.AGENT, ("林", "佳怡"), None),
    ("dispatcher", Role.DISPATCHER, ("吴", "国栋"), None),
    ("clerk", Role.CLERK, ("孙", "丽娟"), None),
    ("parts", Role.PARTS_CLERK, ("马", "建军"), None),
    ("finance", Role.FINANCE, ("何", "静"), None),
    ("quality", Role.QUALITY, ("郭", "明辉"), None),
    ("supervisor", Role.SUPERVISOR, ("高", "建华"), None),
    ("dealer", Role.DEALER_STAFF, ("黄", "志强"), "DL-GD"),
    ("dealer_sc", Role.DEALER_STAFF, ("李", "文斌"), "DL-SC"),
    ("dealer_hb", Role.DEALER_STAFF, ("周", "建华"), "DL-HB"),
]
