package i18n

// The Chinese of the pages of retention and disposition (server/web:
// retention.go): appraisal lists, destructions and legal holds. Keys are
// sorted; server/web's catalogue test checks that every key the pages use
// is here or in another catalogue file of the pages.
func init() {
	Register(Chinese, map[string]string{
		"%d records":           "%d 条记录",
		"A customer's records": "某客户的记录",
		"A record":             "单条记录",
		"A record under a legal hold is not destroyed, even when its appraisal list is executed, until every hold on it is released.": "处于法律保全下的记录不会被销毁，即使其鉴定清单已执行，直至其上的所有保全均已解除。",
		"Appraisal list": "鉴定清单",
		"Appraisal lists: the archived records whose retention period has ended, by class, with the archivist's decision on each, the approval and the witnesses before they are destroyed.": "鉴定清单：按类别列出保管期限已满的归档记录，以及档案员对每条的鉴定意见、审批和销毁前的监销确认。",
		"Approved by":                 "批准人",
		"Back to the appraisal lists": "返回鉴定清单",
		"Begun":                       "开始时间",
		"Compiled by":                 "编制人",
		"Confirm as a witness":        "以监销人身份确认",
		"Covers":                      "保全范围",
		"Destroy":                     "销毁",
		"Destruction":                 "销毁",
		"Destructions":                "销毁记录",
		"Ended":                       "结束时间",
		"Entries":                     "条目",
		"Execute the list":            "执行销毁",
		"Executed":                    "已执行",
		"Hold":                        "保全",
		"In progress":                 "进行中",
		"Keep":                        "继续保管",
		"Legal holds":                 "法律保全",
		"No appraisal lists here.":    "此处没有鉴定清单。",
		"No destructions yet.":        "尚无销毁记录。",
		"No legal holds here.":        "此处没有法律保全。",
		"Placed at":                   "设置时间",
		"Placed by":                   "设置人",
		"Reason for rejecting it":     "退回理由",
		"Records":                     "记录数",
		"Register":                    "销毁清册",
		"Released":                    "已解除",
		"Retained until":              "保管至",
		"Retention":                   "保管与销毁",
		"Retention and disposition":   "保管与销毁",
		"Spreadsheet":                 "电子表格",
		"Struck off":                  "已剔除",
		"The list has been executed.": "清单已执行销毁。",
		"The records of a search":     "某检索条件下的记录",
		"This list has no entries.":   "此清单没有条目。",
		"Topic":                       "主题",
		"Updated at":                  "更新时间",
		"Witnesses":                   "监销人",
		"You have confirmed the list as a witness.": "您已作为监销人确认此清单。",
	})
}
