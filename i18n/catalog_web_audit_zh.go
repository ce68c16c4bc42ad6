package i18n

// The Chinese of the page of the four-property audit and the fixity
// check (server/web: auditreport.go). Keys are sorted.
func init() {
	Register(Chinese, map[string]string{
		"Altered": "被篡改",
		"Every day the server reads every object again and checks its SHA-256 against the journal. Each result is kept and journaled.": "服务器每天重新读取每个对象，并将其 SHA-256 与审计日志比对；每次结果均留存并记入日志。",
		"Every result, as JSON":        "全部结果（JSON）",
		"Four-property audit":          "四性检测",
		"Kind":                         "类别",
		"Missing":                      "缺失",
		"No fixity check has run yet.": "尚未运行固定性检查。",
		"No problem found: every object recorded is there with the hash the journal gives it.": "未发现问题：日志所记对象均存在，且哈希值与日志一致。",
		"Ran from %s to %s.": "运行时间：%s 至 %s。",
		"The four-property audit of DA/T 70-2018 checks that the archive is authentic, complete, usable and secure, and names every object or record at fault. It reads the whole store, so on a large archive run the command visitarchive audit instead.": "四性检测依据 DA/T 70-2018，检查档案的真实性、完整性、可用性和安全性，并列出每个有问题的对象或记录。检测需读取全部存储，档案量大时请改用命令 visitarchive audit。",
		"The latest fixity check":         "最近一次固定性检查",
		"The report as JSON":              "检测报告（JSON）",
		"The report as an Excel workbook": "检测报告（Excel 工作簿）",
		"The report, printable":           "检测报告（可打印）",
		"Untracked":                       "未登记",
		"altered":                         "被篡改",
		"missing":                         "缺失",
		"untracked":                       "未登记",
	})
}
