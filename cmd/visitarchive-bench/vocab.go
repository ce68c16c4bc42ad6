package main

// The vocabulary of the generated corpus. Everything is a slice, never a
// map, so that the generator's choices depend on the seed alone.

// area is a business area (业务领域) with the products a foreign-trade
// company sells in it and the prefixes of their model numbers.
type area struct {
	name     string
	products []product
	prefixes []string
	zhTrades []string // words of Chinese company names in this area
	enTrades []string // words of English company names in this area
}

// product pairs the Chinese name a salesperson writes with the English
// term the customer uses.
type product struct{ zh, en string }

var areas = []area{
	{"电子元器件", []product{
		{"贴片电容", "MLCC capacitor"}, {"连接器", "connector"}, {"功率器件", "MOSFET"},
		{"线路板", "PCB"}, {"电源模块", "power module"}, {"传感器", "sensor"}, {"继电器", "relay"},
	}, []string{"LX", "CX", "MX", "EK"}, []string{"电子", "科技", "光电"}, []string{"Electronics", "Components", "Technik"}},
	{"机械设备", []product{
		{"数控机床", "CNC machine"}, {"液压泵", "hydraulic pump"}, {"减速机", "gearbox"},
		{"注塑机", "injection molding machine"}, {"空压机", "air compressor"}, {"轴承", "bearing"},
	}, []string{"HX", "CNC", "HP", "GB"}, []string{"机械", "精密", "实业"}, []string{"Machinery", "Engineering", "Industries"}},
	{"纺织服装", []product{
		{"涤纶面料", "polyester fabric"}, {"棉纱", "cotton yarn"}, {"牛仔布", "denim"},
		{"功能性面料", "functional fabric"}, {"针织T恤", "knitted T-shirt"}, {"羽绒服", "down jacket"},
	}, []string{"TX", "PF", "DN"}, []string{"纺织", "服饰", "实业"}, []string{"Textiles", "Apparel", "Sourcing"}},
	{"化工原料", []product{
		{"PVC树脂", "PVC resin"}, {"钛白粉", "titanium dioxide"}, {"环氧树脂", "epoxy resin"},
		{"增塑剂", "plasticizer"}, {"表面活性剂", "surfactant"}, {"色母粒", "masterbatch"},
	}, []string{"TD", "PVC", "EP", "SG"}, []string{"化工", "材料", "实业"}, []string{"Chemicals", "Materials", "Industries"}},
	{"新能源", []product{
		{"锂电池", "lithium battery"}, {"光伏组件", "solar panel"}, {"逆变器", "inverter"},
		{"储能系统", "energy storage system"}, {"电池管理系统", "BMS"}, {"充电桩", "EV charger"},
	}, []string{"SP", "BMS", "ESS", "INV", "LFP"}, []string{"新能源", "能源科技", "电池"}, []string{"Energy", "Power", "Solar"}},
	{"五金工具", []product{
		{"电钻", "cordless drill"}, {"角磨机", "angle grinder"}, {"扳手套装", "wrench set"}, {"紧固件", "fastener"},
	}, []string{"WT", "DR"}, []string{"五金", "工具", "实业"}, []string{"Tools", "Hardware", "Supply"}},
	{"汽车配件", []product{
		{"刹车片", "brake pad"}, {"滤清器", "oil filter"}, {"车灯", "LED headlight"}, {"减震器", "shock absorber"},
	}, []string{"BP", "AF", "SA"}, []string{"汽车部件", "汽配", "精密"}, []string{"Auto Parts", "Automotive", "Components"}},
	{"医疗器械", []product{
		{"血氧仪", "pulse oximeter"}, {"医用口罩", "medical mask"}, {"输液泵", "infusion pump"}, {"监护仪", "patient monitor"},
	}, []string{"MD", "OX"}, []string{"医疗器械", "医疗科技", "生物"}, []string{"Medical", "Healthcare", "Life Sciences"}},
	{"LED照明", []product{
		{"面板灯", "LED panel light"}, {"路灯", "street light"}, {"灯带", "LED strip"}, {"驱动电源", "LED driver"},
	}, []string{"PL", "SL", "LD"}, []string{"照明", "光电", "电器"}, []string{"Lighting", "LED", "Electric"}},
	{"家居用品", []product{
		{"不锈钢餐具", "stainless steel cutlery"}, {"收纳盒", "storage box"}, {"竹制品", "bamboo products"},
	}, []string{"HK", "BM"}, []string{"家居", "日用品", "工艺品"}, []string{"Home", "Housewares", "Living"}},
}

// country is where a customer sits, with the parts its company names are
// made of.
type country struct {
	code, zh string
	cities   []string
	suffixes []string // legal forms
	phone    string   // dialling prefix
	tld      string
	weight   int // how often customers come from here
	offset   int // hours east of UTC, for on-site visit times
}

var countries = []country{
	{"DE", "德国", []string{"Hamburg", "München", "Stuttgart", "Düsseldorf", "Frankfurt"}, []string{"GmbH", "GmbH & Co. KG", "AG"}, "+49", "de", 14, 1},
	{"GB", "英国", []string{"London", "Manchester", "Birmingham", "Leeds"}, []string{"Ltd", "PLC"}, "+44", "co.uk", 9, 0},
	{"US", "美国", []string{"Los Angeles", "Chicago", "Houston", "New York", "Atlanta"}, []string{"Inc.", "LLC", "Corp."}, "+1", "com", 14, -5},
	{"IT", "意大利", []string{"Milano", "Torino", "Bologna", "Napoli"}, []string{"S.r.l.", "S.p.A."}, "+39", "it", 6, 1},
	{"ES", "西班牙", []string{"Madrid", "Barcelona", "Valencia"}, []string{"S.A.", "S.L."}, "+34", "es", 5, 1},
	{"FR", "法国", []string{"Paris", "Lyon", "Marseille"}, []string{"SAS", "SARL"}, "+33", "fr", 6, 1},
	{"NL", "荷兰", []string{"Rotterdam", "Amsterdam", "Eindhoven"}, []string{"B.V."}, "+31", "nl", 5, 1},
	{"PL", "波兰", []string{"Warszawa", "Kraków", "Gdańsk"}, []string{"Sp. z o.o."}, "+48", "pl", 4, 1},
	{"SE", "瑞典", []string{"Stockholm", "Göteborg", "Malmö"}, []string{"AB"}, "+46", "se", 3, 1},
	{"AU", "澳大利亚", []string{"Sydney", "Melbourne", "Brisbane"}, []string{"Pty Ltd"}, "+61", "com.au", 4, 10},
	{"AE", "阿联酋", []string{"Dubai", "Abu Dhabi", "Sharjah"}, []string{"LLC", "FZE"}, "+971", "ae", 4, 4},
	{"VN", "越南", []string{"Ho Chi Minh City", "Hanoi", "Hai Phong"}, []string{"Co., Ltd", "JSC"}, "+84", "vn", 4, 7},
	{"BR", "巴西", []string{"São Paulo", "Rio de Janeiro", "Curitiba"}, []string{"Ltda."}, "+55", "com.br", 3, -3},
	{"IN", "印度", []string{"Mumbai", "Chennai", "Bangalore", "Pune"}, []string{"Pvt. Ltd."}, "+91", "in", 4, 5},
	{"CN", "中国", []string{"深圳", "上海", "广州", "宁波", "苏州"}, nil, "+86", "com.cn", 22, 8},
}

// Parts of Chinese company names: 深圳 + 华强 + 电子 + 有限公司.
var (
	cnCities = []string{"深圳", "上海", "广州", "宁波", "苏州", "杭州", "东莞", "佛山", "青岛", "厦门",
		"天津", "无锡", "温州", "义乌", "常州", "南京", "合肥", "成都", "武汉", "重庆", "香港"}
	cnCores = []string{"华强", "恒通", "鑫源", "瑞丰", "宏达", "金桥", "永盛", "中联", "嘉禾", "海纳",
		"博远", "天成", "安泰", "凯达", "富康", "明辉", "聚力", "东方", "信诚", "亿利", "华晨", "万通",
		"兴业", "德润", "长虹桥", "新纪元", "顺和", "汇川", "立讯达", "金泰", "鼎盛", "创维达", "宝利",
		"锦华", "晶科源", "远航", "同创", "宇辰", "佳美", "泰和"}
	cnTrades   = []string{"贸易", "实业", "进出口", "科技"} // any area
	cnSuffixes = []string{"有限公司", "有限公司", "有限公司", "股份有限公司", "集团有限公司", "进出口有限公司"}
)

// Parts of European and American company names: Müller + Logistics + GmbH.
var (
	enNames = []string{"Müller", "Schmidt", "Acme", "Nordic", "Baltic", "Iberia", "Rossi", "Dupont",
		"Van der Berg", "Kowalski", "Andersen", "Novak", "Horvath", "Costa", "Silva", "Weber",
		"Fischer", "Becker", "Atlas", "Orion", "Pioneer", "Summit", "Crown", "Apex", "Meridian",
		"Alpine", "Hansa", "Rhein", "Thames", "Pacific", "Golden Gate", "Zenith", "Vega", "Lumen",
		"Sterling", "Harbor", "Keystone", "Evergreen", "Bluewater", "Falcon", "Ostsee", "Lombardi",
		"García", "Dubois", "Lindqvist", "Jansen", "O'Connor", "Patel", "Nguyen", "Santos"}
	enTrades = []string{"Logistics", "Trading", "Solutions", "Imports", "Distribution", "Retail", "Group"} // any area
)

// Contacts and decision makers.
var (
	cnSurnames = []string{"张", "王", "李", "赵", "刘", "陈", "杨", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭", "林", "何", "高", "罗"}
	cnGiven    = []string{"伟", "芳", "娜", "敏", "静", "磊", "强", "洋", "杰", "涛", "明", "超", "丽", "军", "鹏", "婷", "斌", "燕", "辉", "晨"}
	// pinyin of cnSurnames and cnGiven, index for index, for e-mail addresses
	cnSurnamesPY = []string{"zhang", "wang", "li", "zhao", "liu", "chen", "yang", "huang", "zhou", "wu", "xu", "sun", "ma", "zhu", "hu", "guo", "lin", "he", "gao", "luo"}
	cnGivenPY    = []string{"wei", "fang", "na", "min", "jing", "lei", "qiang", "yang", "jie", "tao", "ming", "chao", "li", "jun", "peng", "ting", "bin", "yan", "hui", "chen"}
	enFirst      = []string{"Hans", "Anna", "John", "Marco", "Sofia", "Lars", "Piotr", "Claire", "Emily", "Michael",
		"Laura", "Thomas", "Julia", "David", "Elena", "Jan", "Sarah", "Luca", "Olivia", "Ahmed", "Priya", "Minh"}
	enLast = []string{"Müller", "Schmidt", "Smith", "Rossi", "García", "Andersen", "Nowak", "Dubois", "Johnson",
		"Brown", "Weber", "Jansen", "Lindqvist", "Costa", "Khan", "Sharma", "Tran", "Becker", "Martin", "Wilson"}
	titles = []string{"采购经理", "采购总监", "总经理", "技术总监", "质量经理", "Purchasing Manager",
		"Head of Procurement", "CEO", "CTO", "Quality Manager", "Supply Chain Director", "品类经理"}
	attitudes = []string{"support", "support", "neutral", "neutral", "oppose", "unknown"}
)

// The sales organisation: departments and their staff (user names).
var departments = []string{"外贸一部", "外贸二部", "外贸三部", "欧洲市场部", "北美事业部", "亚太业务部", "新能源事业部", "大客户部"}

var users = []string{
	"zhang_wei", "li_na", "wang_fang", "liu_yang", "chen_jie", "yang_lei", "huang_min", "zhao_qiang",
	"wu_xia", "zhou_tao", "xu_jing", "sun_hao", "ma_li", "zhu_ying", "hu_jun", "guo_peng",
	"lin_xue", "he_bin", "gao_yan", "luo_chao", "zheng_kai", "liang_yu", "song_jia", "tang_rui",
	"han_mei", "feng_bo", "deng_hui", "cao_lin", "peng_fei", "xie_ning", "jiang_hong", "shen_yi",
	"lu_wen", "yu_qing", "dong_lei", "xiao_nan", "cheng_long", "wei_dan", "pan_xin", "du_yue",
}

// Chinese business words of two to four characters. The generator puts
// them into sentences with a skewed frequency, and the query set searches
// for them, so that some queries match thousands of records and some few.
var zhTerms = []string{
	"交货期", "报价", "样品", "付款方式", "质量问题", "售后服务", "认证", "包装", "物流", "海运费",
	"汇率", "关税", "反倾销", "库存", "产能", "交期延误", "价格调整", "年度框架协议", "独家代理", "返单",
	"验厂", "退货", "索赔", "技术参数", "定制开发", "批量订单", "试订单", "市场份额", "渠道", "展会",
	"环保要求", "碳足迹", "供应链", "原材料", "涨价", "降本", "账期", "信用证", "预付款", "尾款",
	"保险", "清关", "仓储", "本地化", "备件", "培训", "安装调试", "质保期", "不良率", "良品率",
	"检测报告", "第三方检验", "招标", "预算", "决策流程", "竞品", "性价比", "品牌", "贴牌", "专利",
	"合同条款", "违约金", "运费", "集装箱", "交付周期", "产品目录", "规格书", "能耗", "售价", "毛利",
}

// English words and abbreviations of the trade.
var enTerms = []string{
	"MOQ", "OEM", "ODM", "lead time", "warranty", "deposit", "FOB", "CIF", "EXW", "DDP", "L/C", "T/T",
	"datasheet", "certification", "tender", "forecast", "rebate", "samples", "shipment", "invoice",
	"packaging", "pallet", "container", "audit", "roadmap", "pricing", "quotation", "distributor",
}

var (
	payTerms  = []string{"T/T", "L/C", "D/P", "OA 60天", "30% deposit + 70% T/T", "信用证"}
	incoterms = []string{"FOB", "CIF", "EXW", "DDP", "DAP", "CFR"}
)

var standards = []string{"ISO9001", "ISO14001", "IATF16949", "CE", "RoHS", "REACH", "UL", "FDA", "GB/T 19001", "ISO13485", "IEC 62619", "UN38.3"}

var competitors = []string{"比亚迪", "宁德时代", "华为数字能源", "阳光电源", "海天", "三一重工", "Siemens", "Bosch",
	"Schneider Electric", "ABB", "Murata", "TDK", "Vishay", "Toray", "BASF", "Dow", "Makita", "Philips", "Osram",
	"某台湾厂商", "某越南工厂", "某印度供应商", "本地经销商"}

var ports = []string{"Shenzhen", "Shanghai", "Ningbo", "Qingdao", "Xiamen", "Hamburg", "Rotterdam", "Antwerp", "Los Angeles", "Felixstowe", "Jebel Ali"}

var fairs = []string{"广交会", "electronica", "Hannover Messe", "Intersolar", "CES", "Automechanika", "MEDICA", "Canton Fair", "ISPO", "Heimtextil"}

var locationsHome = []string{"公司总部会议室", "深圳展厅", "工厂参观区", "线上视频会议", "宁波工厂", "公司二楼洽谈室"}
