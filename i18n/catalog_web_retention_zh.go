package i18n

// The Chinese of the pages of retention and disposition (server/web:
// retention.go): appraisal lists, destructions and legal holds. Keys are
// sorted; server/web's catalogue test checks that every key the pages use
// is here or in another catalogue file of the pages.
func init() {
	Register(Chinese, map[string]string{
		"A customer's records": "某客户的记录",
		"A record":             "单条记录",
		"Appraisal list":       "鉴定清单",
		"Appraisal lists: the archived records whose retention period has ended, by class, with the archivist's decision on each, the approval and the witnesses before they are destroyed.": "鉴定清单：按类别列出保管期限已满的归档记录，以及档案员对每条的鉴定意见、审批和销毁前的监销确认。",
		"Approved by":                 "批准人",
		"Back to the appraisal lists": "返回鉴定清单",
		"Compiled by":                 "编制人",
		"Confirm as a witness":        "以监销人身份确认",
		"Destroy":                     "销毁",
		"Destruction":                 "销毁",
		"Destructions":                "销毁记录",
		"Entries":                     "条目",
		"Execute the list":            "执行销毁",
		"Executed":                    "已执行",
		"Keep":                        "继续保管",
		"Legal holds":                 "法律保全",
		"No appraisal lists here.":    "此处没有鉴定清单。",
		"Reason for rejecting it":     "退回理由",
		"Retained until":              "保管至",
		"Retention":                   "保管与销毁",
		"Retention and disposition":   "保管与销毁",
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
