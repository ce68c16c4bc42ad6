package i18n

// The Chinese of every key. Keep the keys sorted within each group;
// i18n_test and the packages' own catalogue tests check that every key
// the code uses is here.
func init() {
	Register(Chinese, map[string]string{
		// Languages, as the switch names them.
		"Chinese": "中文",
		"English": "English",
	})
}
