"""What the demo district's departments decide: licence kinds and violation kinds, by department (synthetic).

Used by ``demo.records`` to write 行政许可 and 行政处罚 rows that read like a district's 双公示 data. The laws and
articles cited are real (as in force in 2026, confidence M: checked against the published texts as we know them,
not against a legal database); the facts, amounts within each article's range, numbers and dates are invented.
Tuples only: the generator picks by index, so the order here is part of what a seed reproduces.

Templates use ``str.format`` fields filled by the generator:

* facts/content: ``{d1}`` (a date before the decision, e.g. 2026年3月2日), ``{n}`` (a small count), ``{v}`` (a value
  in 元), ``{fine}`` (the fine in 元), ``{conf}`` (confiscated amount in 元), ``{scope}`` (a licence's scope);
* licence numbers: ``{year}``, ``{seq}`` (per department and year), ``{code}`` (the holder's USCC), ``{r}`` (4
  random digits).

``hints`` are fragments of subject names (the demo generator's trades, e.g. 餐饮, 五金, 房地产) that make a
subject a likely holder or offender; most decisions of a kind go to a subject whose name has one.
"""

from __future__ import annotations

from dataclasses import dataclass

# Subject groups a kind applies to: org = 法人及非法人组织, ind = 个体工商户, person = 自然人.
ORG, IND, PERSON = "org", "ind", "person"
GROUPS: tuple[str, ...] = (ORG, IND, PERSON)

# Name fragments shared by several kinds.
FOOD_SHOPS = ("餐饮", "食品", "小食", "烧腊", "粥粉面", "便利店", "士多", "副食", "粮油", "水果", "茶叶", "猪肉")
KITCHENS = ("餐饮", "小食", "烧腊", "粥粉面")
RETAIL = ("便利店", "士多", "副食", "百货", "日用品", "商行", "贸易", "商贸", "粮油", "食品")
FACTORIES = ("五金", "塑料", "化工", "电子", "印刷", "家具", "皮具", "服装", "包装", "新材料", "机械", "照明", "制衣")
BUILDERS = ("建筑工程", "装饰工程", "房地产", "实业")
VENUES = ("餐饮", "酒店", "百货", "服装", "文化", "健康", "美容")


@dataclass(frozen=True)
class LicenceKind:
    """One kind of licence a department grants."""

    certificate: str  # 许可证书名称
    title: str  # 行政许可决定文书名称
    category: str  # 许可类别 (catalogue enumeration)
    content: str  # 许可内容, with {scope}
    scopes: tuple[str, ...]
    years: int | None  # validity from the decision; None = 长期有效 (有效期至 2099-12-31, per the catalogue help)
    number: str  # 许可编号 template
    groups: tuple[str, ...] = (ORG, IND)
    weight: float = 1.0
    basis: str = ""  # the law the licence is granted under (appended to 许可内容)
    hints: tuple[str, ...] = ()  # name fragments of likely holders (e.g. 餐饮 for a food licence)


@dataclass(frozen=True)
class ViolationKind:
    """One kind of violation a department penalises, with the article that punishes it."""

    violation: str  # 违法行为类型
    facts: str  # 违法事实 template
    basis: str  # 处罚依据
    category: str  # 处罚类别 (catalogue enumeration)
    content: str  # 处罚内容 template
    fines: tuple[int, ...] = ()  # fines in 元 within the article's range (empty: no fine)
    confiscated: tuple[int, int] | None = None  # range of 没收违法所得 in 元
    affected: str = ""  # 暂扣或吊销证照名称及编号
    valid_days: int = 365  # 处罚有效期 from the decision
    publicity_days: int = 1095  # 公示截止期 from the decision (rules.md §3/§4: 3 years; SAMR Order 45 第十四条)
    groups: tuple[str, ...] = (ORG, IND)
    weight: float = 1.0
    hints: tuple[str, ...] = ()  # name fragments of likely offenders (e.g. 餐饮 for a food-hygiene violation)


@dataclass(frozen=True)
class DepartmentProfile:
    """A department's share of the district's decisions and what it decides."""

    code: str  # departments.yaml code
    penalty_doc: str  # 行政处罚决定书文号 prefix: {prefix}〔{year}〕{seq}号
    licence_doc: str  # 行政许可决定文书号 prefix
    penalty_weight: float
    licence_weight: float
    violations: tuple[ViolationKind, ...]
    licences: tuple[LicenceKind, ...]


# fmt: off
V, L = ViolationKind, LicenceKind

_SCJGJ = DepartmentProfile(
    "scjgj", "穗番市监处罚", "番市监许", 30, 40,
    violations=(
        V("经营超过保质期的食品",
          "经查，当事人于{d1}在其经营场所销售超过保质期的预包装食品{n}件，货值金额{v}元。",
          "《中华人民共和国食品安全法》第一百二十四条第一款第（五）项",
          "罚款", "没收超过保质期的食品{n}件，罚款人民币{fine}元。", fines=(50000, 60000, 80000), weight=3,
          hints=RETAIL),
        V("未取得食品经营许可从事食品经营",
          "经查，当事人自{d1}起未取得食品经营许可证在其经营场所从事餐饮服务，货值金额{v}元，违法所得{conf}元。",
          "《中华人民共和国食品安全法》第一百二十二条第一款",
          "没收违法所得、没收非法财物", "没收违法所得{conf}元，罚款人民币{fine}元。",
          fines=(50000, 60000), confiscated=(800, 9000), weight=2, hints=(*KITCHENS, "食品")),
        V("未按规定建立并遵守进货查验记录制度",
          "经查，当事人于{d1}购进的{n}批次食品未查验供货者的许可证和产品合格证明文件，亦未建立进货查验记录，"
          "经责令改正后拒不改正。",
          "《中华人民共和国食品安全法》第一百二十六条第一款第（三）项",
          "罚款", "罚款人民币{fine}元。", fines=(5000, 8000, 10000, 20000), weight=3, hints=FOOD_SHOPS),
        V("安排未取得健康证明的人员从事接触直接入口食品的工作",
          "经查，当事人安排{n}名未取得健康证明的人员从事接触直接入口食品的工作，经责令改正后拒不改正。",
          "《中华人民共和国食品安全法》第一百二十六条第一款第（六）项",
          "罚款", "罚款人民币{fine}元。", fines=(5000, 10000), weight=2, hints=KITCHENS),
        V("不按规定明码标价",
          "经查，当事人于{d1}在其经营场所销售的{n}种商品未按规定标明价格。",
          "《中华人民共和国价格法》第四十二条",
          "罚款", "责令改正，罚款人民币{fine}元。", fines=(500, 1000, 2000, 3000), weight=3,
          publicity_days=90),
        V("销售不符合保障人体健康和人身、财产安全的国家标准的产品",
          "经查，当事人于{d1}销售的电器产品经抽样检验不符合强制性国家标准，货值金额{v}元，违法所得{conf}元。",
          "《中华人民共和国产品质量法》第四十九条",
          "没收违法所得、没收非法财物", "没收违法所得{conf}元，罚款人民币{fine}元。",
          fines=(8000, 15000, 30000), confiscated=(300, 5000), weight=2,
          hints=("电子", "电器", "五金", "照明", "灯光", "百货", "手机")),
        V("使用未经定期检验的特种设备",
          "经查，当事人使用的{n}台电梯（乘客电梯）未经定期检验，检验有效期已于{d1}届满。",
          "《中华人民共和国特种设备安全法》第八十四条第（一）项",
          "罚款", "责令停止使用有关特种设备，罚款人民币{fine}元。", fines=(30000, 50000), groups=(ORG,),
          hints=("物业", "酒店", "实业", "房地产", "物流")),
    ),
    licences=(
        L("食品经营许可证", "准予行政许可决定书", "普通", "食品经营：{scope}",
          ("预包装食品（含冷藏冷冻食品）销售", "热食类食品制售", "冷食类食品制售；热食类食品制售",
           "散装食品（含冷藏冷冻食品）销售", "自制饮品制售"),
          5, "JY1440113{seq:06d}{r}", weight=5,
          basis="《中华人民共和国食品安全法》第三十五条", hints=FOOD_SHOPS),
        L("营业执照", "准予变更登记通知书", "登记", "变更登记：{scope}",
          ("经营范围变更", "住所变更", "法定代表人变更", "注册资本变更"),
          None, "{code}", weight=4, basis="《中华人民共和国市场主体登记管理条例》第二十四条"),
        L("药品经营许可证", "准予行政许可决定书", "普通", "药品零售：{scope}",
          ("中成药、化学药制剂、抗生素制剂、生化药品", "中药饮片、中成药、化学药制剂"),
          5, "粤CB0201{seq:04d}", weight=1, basis="《中华人民共和国药品管理法》第五十二条",
          hints=("医疗", "健康", "药")),
        L("特种设备使用登记证", "特种设备使用登记决定书", "登记", "特种设备使用登记：{scope}",
          ("乘客电梯", "载货电梯", "叉车（场（厂）内专用机动车辆）", "固定式压力容器"),
          None, "梯11粤A{seq:05d}({year})", groups=(ORG,), weight=1,
          basis="《中华人民共和国特种设备安全法》第三十三条", hints=("物业", "实业", "物流", "机械", "酒店")),
    ),
)

_ZJJ = DepartmentProfile(
    "zjj", "番住建罚", "番住建许", 8, 10,
    violations=(
        V("未取得施工许可证擅自施工",
          "经查，当事人建设的厂房项目于{d1}在未取得建筑工程施工许可证的情况下擅自开工建设，工程合同价款{v}元。",
          "《建设工程质量管理条例》第五十七条", "罚款", "责令停止施工，限期改正，罚款人民币{fine}元。",
          fines=(30000, 60000, 120000), groups=(ORG,), weight=2, hints=BUILDERS),
        V("施工工地未采取有效防尘降尘措施",
          "经查，当事人承建的工地于{d1}未设置硬质围挡、裸露土方未覆盖，未采取洒水抑尘等有效防尘降尘措施。",
          "《中华人民共和国大气污染防治法》第一百一十五条第一款第（一）项", "罚款", "罚款人民币{fine}元。",
          fines=(10000, 20000, 30000), groups=(ORG,), weight=3, hints=BUILDERS),
        V("施工总承包单位未按规定开设或者使用农民工工资专用账户",
          "经查，当事人承建的项目未按规定开设农民工工资专用账户，经责令限期改正逾期未改正。",
          "《保障农民工工资支付条例》第五十五条第（一）项", "罚款", "罚款人民币{fine}元。",
          fines=(50000, 80000), groups=(ORG,), hints=BUILDERS),
    ),
    licences=(
        L("建筑工程施工许可证", "建筑工程施工许可决定书", "普通", "建筑工程施工许可：{scope}",
          ("厂房新建工程", "住宅小区新建工程（一期）", "办公楼装修工程", "仓库新建工程", "学校教学楼改建工程"),
          1, "440113{year}{seq:04d}0101", groups=(ORG,), weight=4, basis="《中华人民共和国建筑法》第七条",
          hints=BUILDERS),
        L("商品房预售许可证", "商品房预售许可决定书", "核准", "商品房预售：{scope}",
          ("住宅及配套商业", "住宅"), None, "穗番房预字第{year}{seq:04d}号", groups=(ORG,), weight=1,
          basis="《城市商品房预售管理办法》第六条", hints=("房地产",)),
    ),
)

_STHJFJ = DepartmentProfile(
    "sthjfj", "穗番环罚", "穗番环许", 10, 8,
    violations=(
        V("超过大气污染物排放标准排放大气污染物",
          "经查，{d1}对当事人废气排放口监测，颗粒物排放浓度超过《大气污染物排放限值》（DB44/27-2001）标准。",
          "《中华人民共和国大气污染防治法》第九十九条第（二）项", "罚款", "责令改正，罚款人民币{fine}元。",
          fines=(100000, 150000, 200000), groups=(ORG,), weight=2, hints=FACTORIES),
        V("超过水污染物排放标准排放水污染物",
          "经查，{d1}对当事人废水总排放口采样监测，化学需氧量排放浓度超过国家规定的排放标准。",
          "《中华人民共和国水污染防治法》第八十三条第（二）项", "罚款", "责令改正，罚款人民币{fine}元。",
          fines=(100000, 120000, 180000), groups=(ORG,), weight=2, hints=(*FACTORIES, "食品", "水产")),
        V("未依法报批环境影响评价文件擅自开工建设",
          "经查，当事人的建设项目未依法报批环境影响报告表，于{d1}擅自开工建设，项目总投资额{v}元。",
          "《中华人民共和国环境影响评价法》第三十一条第一款", "罚款", "责令停止建设，罚款人民币{fine}元。",
          fines=(20000, 50000, 80000), groups=(ORG, IND), weight=2, hints=(*FACTORIES, "汽车维修")),
        V("未取得排污许可证排放污染物",
          "经查，当事人属于实行排污许可重点管理的排污单位，截至{d1}未取得排污许可证排放污染物。",
          "《排污许可管理条例》第三十三条第（一）项", "罚款", "责令改正，罚款人民币{fine}元。",
          fines=(200000, 300000), groups=(ORG,), hints=FACTORIES),
        V("产生含挥发性有机物废气的生产活动未在密闭空间中进行",
          "经查，当事人喷漆工序于{d1}未在密闭空间或者设备中进行，未按规定使用污染防治设施。",
          "《中华人民共和国大气污染防治法》第一百零八条第（一）项", "罚款", "责令改正，罚款人民币{fine}元。",
          fines=(20000, 50000, 100000), groups=(ORG, IND), weight=2,
          hints=("家具", "印刷", "汽车", "五金", "塑料", "皮具")),
        V("未按照规定设置危险废物识别标志",
          "经查，当事人危险废物贮存场所于{d1}未按照规定设置危险废物识别标志。",
          "《中华人民共和国固体废物污染环境防治法》第一百一十二条第一款第（一）项", "罚款",
          "责令改正，罚款人民币{fine}元。", fines=(100000, 120000), groups=(ORG,),
          hints=("化工", "电子", "汽车", "五金", "印刷")),
    ),
    licences=(
        L("排污许可证", "排污许可决定书", "普通", "排污许可：{scope}",
          ("废气：颗粒物、挥发性有机物", "废水：化学需氧量、氨氮", "废气：二氧化硫、氮氧化物；废水：化学需氧量"),
          5, "{code}{seq:03d}V", groups=(ORG,), weight=3, basis="《排污许可管理条例》第二条", hints=FACTORIES),
        L("建设项目环境影响报告表批复", "建设项目环境影响报告表审批意见", "核准", "环境影响报告表审批：{scope}",
          ("新建五金制品生产项目", "扩建塑料制品生产项目", "新建食品加工项目", "新建汽车维修项目"),
          5, "穗番环管影〔{year}〕{seq}号", groups=(ORG, IND), weight=2,
          basis="《中华人民共和国环境影响评价法》第二十二条", hints=(*FACTORIES, "食品", "汽车维修")),
    ),
)

_CGJ = DepartmentProfile(
    "cgj", "番城管罚", "番城管许", 15, 6,
    violations=(
        V("擅自在街道两侧和公共场地堆放物料",
          "经查，当事人于{d1}未经批准在其经营场所外公共场地堆放物料，占用面积约{n}平方米，影响市容。",
          "《城市市容和环境卫生管理条例》第三十六条第（二）项", "罚款", "责令限期清理，罚款人民币{fine}元。",
          fines=(200, 500, 1000), groups=(ORG, IND, PERSON), weight=3, publicity_days=90,
          hints=("建材", "五金", "家具", "蔬菜", "水果", "日用品")),
        V("随意倾倒建筑垃圾",
          "经查，当事人于{d1}将装修产生的建筑垃圾约{n}立方米随意倾倒在道路旁空地。",
          "《城市建筑垃圾管理规定》第二十六条", "罚款", "责令限期改正，给予警告，罚款人民币{fine}元。",
          fines=(5000, 10000, 20000), groups=(ORG, IND), weight=2, hints=("装饰工程", "建筑工程", "建材")),
        V("运输散装货物未作密封、覆盖造成遗撒",
          "经查，当事人的运输车辆于{d1}运输散装泥土未作密封、覆盖，造成沿途遗撒。",
          "《城市市容和环境卫生管理条例》第三十四条第（六）项", "罚款", "罚款人民币{fine}元。",
          fines=(1000, 2000), groups=(ORG, IND, PERSON), weight=2, publicity_days=90,
          hints=("物流", "建筑工程", "建材")),
        V("未取得建设工程规划许可证进行建设",
          "经查，当事人于{d1}在未取得建设工程规划许可证的情况下搭建钢结构建筑物，面积约{n}平方米，工程造价{v}元。",
          "《中华人民共和国城乡规划法》第六十四条", "罚款", "限期改正，罚款人民币{fine}元。",
          fines=(8000, 15000, 30000), groups=(ORG, IND, PERSON), weight=2),
        V("擅自占用城市道路",
          "经查，当事人于{d1}未经批准擅自占用城市道路摆放经营物品，占用面积约{n}平方米。",
          "《城市道路管理条例》第四十二条", "罚款", "责令限期改正，罚款人民币{fine}元。",
          fines=(500, 1000, 2000), groups=(IND, ORG), weight=2, publicity_days=90,
          hints=("餐饮", "水果", "蔬菜", "便利店", "士多", "五金", "小食")),
    ),
    licences=(
        L("城市建筑垃圾处置核准", "城市建筑垃圾处置核准决定书", "核准", "建筑垃圾处置（排放）：{scope}",
          ("装修工程建筑垃圾", "拆除工程建筑垃圾", "新建工程余泥渣土"), 1, "番城管建核字〔{year}〕{seq}号",
          weight=2, basis="《城市建筑垃圾管理规定》第七条", hints=("装饰工程", "建筑工程", "房地产")),
        L("户外广告设置许可", "设置大型户外广告审批决定书", "普通", "户外广告设置：{scope}",
          ("楼顶招牌", "墙面招牌", "大型户外广告牌"), 3, "番城管广许〔{year}〕{seq}号", weight=2,
          basis="《城市市容和环境卫生管理条例》第十一条", hints=("广告", "餐饮", "酒店", "百货")),
    ),
)

_WGLJ = DepartmentProfile(
    "wglj", "番文广旅体罚", "番文广旅体许", 4, 6,
    violations=(
        V("互联网上网服务营业场所接纳未成年人",
          "经查，当事人经营的网吧于{d1}接纳{n}名未成年人进入营业场所。",
          "《互联网上网服务营业场所管理条例》第三十一条第（二）项", "罚款", "警告，罚款人民币{fine}元。",
          fines=(2000, 5000, 10000), weight=2, hints=("网络", "文化")),
        V("未经批准举办营业性演出",
          "经查，当事人于{d1}在其经营场所未经批准举办营业性演出。",
          "《营业性演出管理条例》第四十三条第一款", "罚款", "没收演出器材，罚款人民币{fine}元。",
          fines=(50000, 80000), hints=("文化传播", "酒店", "灯光音响")),
    ),
    licences=(
        L("娱乐经营许可证", "准予行政许可决定书", "普通", "娱乐场所经营：{scope}", ("歌舞娱乐", "游艺娱乐"), 2,
          "4401130{seq:05d}", weight=2, basis="《娱乐场所管理条例》第九条", hints=("文化", "酒店", "灯光音响")),
        L("网络文化经营许可证", "准予行政许可决定书", "普通", "互联网上网服务营业场所经营", ("",), 3,
          "粤网文〔{year}〕{seq:04d}-{r}号", weight=1, basis="《互联网上网服务营业场所管理条例》第十条",
          hints=("网络",)),
        L("营业性演出准予举办通知书", "营业性演出准予举办通知书", "普通", "营业性演出：{scope}",
          ("商场周年庆文艺演出", "音乐会", "粤剧专场演出"), None, "番文演〔{year}〕{seq}号", groups=(ORG,),
          weight=1, basis="《营业性演出管理条例》第十三条", hints=("文化传播", "灯光音响")),
    ),
)

_JTJ = DepartmentProfile(
    "jtj", "番交罚", "番交许", 6, 8,
    violations=(
        V("未取得道路运输经营许可擅自从事道路普通货物运输经营",
          "经查，当事人于{d1}未取得道路运输经营许可，擅自从事道路普通货物运输经营。",
          "《中华人民共和国道路运输条例》第六十三条", "罚款", "责令停止经营，罚款人民币{fine}元。",
          fines=(3000, 5000, 10000), groups=(ORG, IND, PERSON), weight=3, hints=("物流", "供应链", "汽车")),
        V("未取得网络预约出租汽车运输证从事网约车经营",
          "经查，当事人驾驶的车辆于{d1}未取得网络预约出租汽车运输证从事网约车经营活动。",
          "《网络预约出租汽车经营服务管理暂行办法》第三十四条", "罚款", "责令改正，罚款人民币{fine}元。",
          fines=(10000, 20000), groups=(PERSON, ORG), weight=2),
    ),
    licences=(
        L("道路运输经营许可证", "道路运输经营许可决定书", "普通", "道路运输经营：{scope}",
          ("道路普通货物运输", "货物专用运输（集装箱）", "道路普通货物运输；大型物件运输"), 4,
          "粤交运管许可穗字440113{seq:06d}号", weight=3, basis="《中华人民共和国道路运输条例》第二十四条",
          hints=("物流", "供应链")),
        L("机动车维修经营备案", "机动车维修经营备案回执", "其他", "机动车维修：{scope}",
          ("二类机动车维修", "三类机动车维修（汽车快修）"), None, "番交修备〔{year}〕{seq}号", weight=1,
          basis="《中华人民共和国道路运输条例》第三十七条", hints=("汽车维修", "汽车服务", "摩托车维修")),
    ),
)

_YJGLJ = DepartmentProfile(
    "yjglj", "番应急罚", "番应急许", 5, 2,
    violations=(
        V("未按照规定对从业人员进行安全生产教育和培训",
          "经查，当事人于{d1}未按照规定对{n}名从业人员进行安全生产教育和培训。",
          "《中华人民共和国安全生产法》第九十七条第（三）项", "罚款", "责令限期改正，罚款人民币{fine}元。",
          fines=(10000, 20000, 30000), groups=(ORG,), weight=3, hints=FACTORIES),
        V("未采取措施消除事故隐患",
          "经查，当事人生产车间于{d1}存在配电箱未接地、安全出口堵塞等事故隐患，未采取措施消除。",
          "《中华人民共和国安全生产法》第一百零二条", "罚款", "责令立即消除事故隐患，罚款人民币{fine}元。",
          fines=(10000, 30000, 50000), groups=(ORG, IND), weight=2, hints=FACTORIES),
        V("未取得危险化学品经营许可证从事危险化学品经营",
          "经查，当事人于{d1}未取得危险化学品经营许可证销售油漆稀释剂等危险化学品，违法所得{conf}元。",
          "《危险化学品安全管理条例》第七十七条第三款", "没收违法所得、没收非法财物",
          "没收违法经营的危险化学品及违法所得{conf}元，罚款人民币{fine}元。",
          fines=(100000, 150000), confiscated=(500, 6000), groups=(ORG, IND), hints=("化工", "五金", "建材", "油漆")),
    ),
    licences=(
        L("危险化学品经营许可证", "危险化学品经营许可决定书", "普通", "危险化学品经营（不带储存）：{scope}",
          ("油漆、稀释剂", "乙醇、丙酮", "工业气体"), 3, "穗番应急经字〔{year}〕{seq:04d}", groups=(ORG,),
          basis="《危险化学品安全管理条例》第三十三条", hints=("化工",)),
    ),
)

_GAFJ = DepartmentProfile(
    "gafj", "穗公番行罚决字", "穗公番许", 8, 3,
    violations=(
        V("饮酒后驾驶机动车",
          "经查，当事人于{d1}饮酒后驾驶小型汽车，经检测血液酒精含量达到饮酒驾驶标准。",
          "《中华人民共和国道路交通安全法》第九十一条第一款", "暂扣许可证件",
          "暂扣机动车驾驶证六个月，罚款人民币{fine}元。", fines=(1000, 1500, 2000), affected="机动车驾驶证",
          valid_days=183, groups=(PERSON,), weight=3),
        V("通过不正常运行防治污染设施逃避监管的方式违法排放污染物",
          "经查，当事人作为直接负责的主管人员，于{d1}指使员工关闭废水处理设施违法排放污染物。",
          "《中华人民共和国环境保护法》第六十三条第（三）项", "行政拘留", "行政拘留十日。", valid_days=10,
          groups=(PERSON,)),
        V("住宿业务经营者对身份不明的客户提供服务",
          "经查，当事人经营的旅馆于{d1}对{n}名身份不明、拒绝身份查验的客户提供住宿服务。",
          "《中华人民共和国反恐怖主义法》第八十六条第二款", "罚款", "罚款人民币{fine}元。",
          fines=(100000,), groups=(ORG, IND), hints=("酒店",)),
    ),
    licences=(
        L("特种行业许可证", "特种行业许可决定书", "特许", "特种行业经营：{scope}", ("旅馆业", "公章刻制业"), None,
          "穗公番特字{year}{seq:04d}号", basis="《旅馆业治安管理办法》第四条", hints=("酒店", "印刷")),
        L("大型群众性活动安全许可", "大型群众性活动安全许可决定书", "普通", "大型群众性活动：{scope}",
          ("商业促销活动", "体育赛事", "文艺演出"), None, "穗公番活许〔{year}〕{seq}号", groups=(ORG,),
          basis="《大型群众性活动安全管理条例》第十一条", hints=("文化传播", "体育", "百货")),
    ),
)

_XFDD = DepartmentProfile(
    "xfdd", "番消行罚决字", "番消许", 6, 4,
    violations=(
        V("占用、堵塞、封闭疏散通道、安全出口",
          "经查，当事人经营场所于{d1}存在堵塞疏散通道、封闭安全出口的行为。",
          "《中华人民共和国消防法》第六十条第一款第（三）项", "罚款", "责令改正，罚款人民币{fine}元。",
          fines=(5000, 8000, 10000), weight=3, hints=VENUES),
        V("消防设施、器材未保持完好有效",
          "经查，当事人经营场所于{d1}消火栓无水、{n}具灭火器压力不足，消防设施、器材未保持完好有效。",
          "《中华人民共和国消防法》第六十条第一款第（一）项", "罚款", "责令改正，罚款人民币{fine}元。",
          fines=(5000, 10000), weight=2, hints=(*VENUES, *FACTORIES)),
        V("公众聚集场所未经消防救援机构许可擅自投入使用、营业",
          "经查，当事人经营的公众聚集场所于{d1}未经消防救援机构许可擅自投入使用、营业。",
          "《中华人民共和国消防法》第五十八条第一款第（四）项", "责令停产停业",
          "责令停止使用，罚款人民币{fine}元。", fines=(30000, 50000), groups=(ORG,), hints=VENUES),
    ),
    licences=(
        L("公众聚集场所投入使用、营业前消防安全检查意见书", "公众聚集场所投入使用、营业前消防安全检查意见书",
          "普通", "公众聚集场所投入使用、营业：{scope}", ("商场", "餐饮场所", "宾馆", "网吧", "健身场所"), None,
          "番消安检字〔{year}〕第{seq:04d}号", basis="《中华人民共和国消防法》第十五条", hints=VENUES),
    ),
)

_NYNCJ = DepartmentProfile(
    "nyncj", "番农罚", "番农许", 3, 3,
    violations=(
        V("农药经营者采购、销售包装、标签不符合规定的农药",
          "经查，当事人于{d1}销售的{n}瓶农药标签不符合规定，违法所得{conf}元。",
          "《农药管理条例》第五十七条第一款第（三）项", "没收违法所得、没收非法财物",
          "没收违法所得{conf}元及违法经营的农药，罚款人民币{fine}元。", fines=(5000, 10000),
          confiscated=(100, 2000), weight=2, hints=("农业", "合作社", "种养", "花卉", "苗木")),
        V("农药经营者不执行农药采购台账、销售台账制度",
          "经查，当事人于{d1}经营农药未建立采购台账和销售台账，经责令改正拒不改正。",
          "《农药管理条例》第五十八条第一款第（一）项", "罚款", "罚款人民币{fine}元。", fines=(2000, 5000),
          hints=("农业", "合作社", "种养", "花卉", "苗木")),
    ),
    licences=(
        L("农药经营许可证", "农药经营许可决定书", "普通", "农药经营：{scope}", ("农药（限制使用农药除外）",), 5,
          "农药经许（粤）44011{seq:04d}", basis="《农药管理条例》第二十四条", hints=("农业", "合作社", "种养")),
        L("动物防疫条件合格证", "准予行政许可决定书", "普通", "动物防疫条件：{scope}", ("动物饲养场", "动物隔离场所"),
          None, "（番）动防合字第{year}{seq:04d}号", groups=(ORG,), basis="《中华人民共和国动物防疫法》第二十五条",
          hints=("家禽养殖", "水产", "农业", "合作社")),
    ),
)

_JYJ = DepartmentProfile(
    "jyj", "番教罚", "番教许", 1, 2,
    violations=(
        V("民办学校发布虚假招生简章",
          "经查，当事人于{d1}发布的招生简章中含有虚假升学承诺内容。",
          "《中华人民共和国民办教育促进法》第六十二条第（四）项", "警告", "责令限期改正，予以警告。",
          groups=(ORG,), hints=("培训", "教育", "学校", "幼儿园")),
    ),
    licences=(
        L("民办学校办学许可证", "准予行政许可决定书", "普通", "民办学校办学：{scope}",
          ("幼儿园", "非学科类培训（艺术）", "非学科类培训（体育）"), 5, "教民144011370{seq:05d}号", groups=(ORG,),
          basis="《中华人民共和国民办教育促进法》第十八条", hints=("培训", "教育", "幼儿园")),
    ),
)

_RSJ = DepartmentProfile(
    "rsj", "番人社罚", "番人社许", 3, 2,
    violations=(
        V("违法延长劳动者工作时间",
          "经查，当事人于{d1}前连续安排{n}名劳动者延长工作时间，超过法定最高限度。",
          "《劳动保障监察条例》第二十五条", "罚款", "警告，责令限期改正，罚款人民币{fine}元。",
          fines=(2000, 5000, 8000), groups=(ORG,), weight=2, hints=FACTORIES),
        V("不按照劳动保障行政部门的要求报送书面材料",
          "经查，当事人于{d1}收到劳动保障监察询问通知书后，不按照要求报送书面材料。",
          "《劳动保障监察条例》第三十条第一款第（二）项", "罚款", "罚款人民币{fine}元。", fines=(2000, 5000),
          groups=(ORG, IND)),
        V("劳务派遣单位违反劳务派遣规定",
          "经查，当事人截至{d1}使用被派遣劳动者数量超过其用工总量的百分之十，经责令限期改正逾期未改正。",
          "《中华人民共和国劳动合同法》第九十二条第二款", "罚款", "罚款人民币{fine}元。",
          fines=(50000, 100000), groups=(ORG,), hints=("劳务派遣", "人力资源")),
    ),
    licences=(
        L("劳务派遣经营许可证", "劳务派遣行政许可决定书", "普通", "劳务派遣经营", ("",), 3, "440113{year}{seq:04d}",
          groups=(ORG,), basis="《中华人民共和国劳动合同法》第五十七条", hints=("劳务派遣", "人力资源")),
        L("人力资源服务许可证", "准予行政许可决定书", "普通", "职业中介活动：{scope}",
          ("为劳动者介绍用人单位；为用人单位推荐劳动者", "组织开展现场招聘会"), None,
          "（粤）人服证字〔{year}〕第0113{seq:04d}号", groups=(ORG,), basis="《人力资源市场暂行条例》第十八条",
          hints=("人力资源", "劳务派遣", "企业管理咨询")),
    ),
)

_SWJ = DepartmentProfile(
    "swj", "穗番税罚", "穗番税许", 8, 2,
    violations=(
        V("未按照规定期限办理纳税申报和报送纳税资料",
          "经查，当事人未按照规定期限办理{d1}所属期的增值税纳税申报。",
          "《中华人民共和国税收征收管理法》第六十二条", "罚款", "罚款人民币{fine}元。",
          fines=(200, 500, 1000, 2000), weight=4, publicity_days=90),
        V("未按照规定期限办理变更登记",
          "经查，当事人经营地址变更后，截至{d1}未按照规定期限向税务机关申报办理变更登记。",
          "《中华人民共和国税收征收管理法》第六十条第一款第（一）项", "罚款", "罚款人民币{fine}元。",
          fines=(200, 500, 1000), weight=2, publicity_days=90),
    ),
    licences=(
        L("增值税专用发票最高开票限额审批", "准予税务行政许可决定书", "核准", "增值税专用发票最高开票限额：{scope}",
          ("十万元", "一百万元", "一万元"), None, "穗番税许准字〔{year}〕第{seq:04d}号", groups=(ORG,),
          basis="《国务院对确需保留的行政审批项目设定行政许可的决定》第236项"),
    ),
)

_MZJ = DepartmentProfile(
    "mzj", "番民罚", "番民许", 1, 2,
    violations=(
        V("社会团体不按照规定办理变更登记",
          "经查，当事人于{d1}变更法定代表人后未按照规定办理变更登记。",
          "《社会团体登记管理条例》第三十条第一款第（六）项", "警告", "警告，责令改正。", groups=(ORG,),
          hints=("协会", "商会", "促进会", "联合会", "研究会")),
    ),
    licences=(
        L("社会组织变更登记", "准予变更登记决定书", "登记", "变更登记：{scope}",
          ("法定代表人变更", "住所变更", "业务范围变更"), None, "番民社变〔{year}〕{seq}号", groups=(ORG,),
          basis="《社会团体登记管理条例》第十八条",
          hints=("协会", "商会", "促进会", "联合会", "研究会", "中心", "基金会")),
    ),
)

_PYHG = DepartmentProfile(
    "pyhg", "番关缉违字", "番关许", 2, 0,
    violations=(
        V("进出口货物申报不实影响海关统计准确性",
          "经查，当事人于{d1}以一般贸易方式申报出口的货物，申报数量与实际不符，影响海关统计准确性。",
          "《中华人民共和国海关行政处罚实施条例》第十五条第（一）项", "罚款", "罚款人民币{fine}元。",
          fines=(1000, 3000, 5000), groups=(ORG,), hints=("贸易", "供应链", "珠宝", "皮具", "灯光", "电子")),
    ),
    licences=(),
)

PROFILES: tuple[DepartmentProfile, ...] = (
    _SCJGJ, _ZJJ, _STHJFJ, _CGJ, _WGLJ, _JTJ, _YJGLJ, _GAFJ, _XFDD, _NYNCJ, _JYJ, _RSJ, _SWJ, _MZJ, _PYHG,
)
# fmt: on

# Bad enum values a department might type (each outside the catalogue enumeration of that field).
BAD_ENUMS: dict[str, tuple[str, str]] = {
    "penalty": ("penalty_category", "罚金"),  # a criminal penalty, not a 行政处罚 category
    "licence": ("licence_category", "审批"),
}
