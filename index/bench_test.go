package index

import (
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"

	"github.com/visitarchive/visitarchive"
)

// Run with: go test -run '^$' -bench . -benchtime 1x ./index/
// (BenchmarkApply builds a 20,000-record index per iteration.)

const (
	benchDocs  = 20000
	benchBatch = 1000
)

var (
	genCompanies = []string{
		"深圳华强电子有限公司", "上海云数科技有限公司", "宁德新能源电池有限公司", "杭州中心医院",
		"苏州精密机械有限公司", "广州海运物流有限公司", "北京智联网络科技有限公司", "青岛港务集团",
		"Müller Logistics GmbH", "General Machinery Ltd", "Nordic Power AB", "Anatolia Ticaret A.Ş.",
		"Pacific Trading Co., Ltd.", "Rossi Impianti S.p.A.", "Dubois Énergie SAS", "Kumar Electricals Pvt Ltd",
	}
	// Chinese nouns are a prefix and a suffix: 40 × 28 of them, so that a
	// word such as 数据中心 is in about one record in a hundred.
	genPre = strings.Fields("数据 储能 电池 变频 充电 光伏 风电 机柜 冷却 控制 安防 照明 电机 传感 网络 物流 " +
		"仓储 包装 模具 焊接 涂装 检测 医疗 影像 空调 水泵 阀门 仪表 电缆 开关 电源 通信 云端 智能 工业 " +
		"汽车 船舶 港口 冷链 园区")
	genSuf = strings.Fields("中心 系统 设备 模块 方案 平台 工厂 项目 组件 产品 服务 线路 软件 标准 器 " +
		"机 柜 站 网 包 组 管理 改造 测试 证书 合同 样品 配件")
	genVerb = strings.Fields("讨论 采购 询问 关注 升级 更换 评估 测试 确认 推荐 对比 改造 扩容 维护 报价 " +
		"交付 验收 安装 培训 投标")
	genTail = strings.Fields("客户表示满意 预计下月下单 需要进一步跟进 对价格比较敏感 希望尽快回复 " +
		"竞争对手也在接触 决策链尚不清楚 要求提供样品 计划年底招标 已提交技术方案 对交期有顾虑 内部仍在审批")
	genENVerb = strings.Fields("asked about reviewed ordered compared tested rejected praised requested discussed")
	genENAdj  = strings.Fields("new spare standard custom industrial compact outdoor modular certified backup " +
		"remote smart portable heavy quiet")
	genENNoun = strings.Fields("battery generator inverter controller charger cabinet sensor pump valve cable " +
		"switch panel module firmware manual warranty certificate sample quotation shipment tender contract " +
		"invoice pallet container forklift transformer motor meter relay fuse breaker")
	genModels = strings.Fields("LX HX PS KM TR ISO UN GB CE EN")
	genTopics = []string{"样品测试", "价格谈判", "年度回顾", "技术交流", "售后问题", "Factory audit", "First order", "Tender"}
	genDepts  = []string{"销售一部", "大客户部", "国际业务部"}
	genUsers  = []string{"zhangwei", "lina", "wangfang", "chenjie", "tom"}
	genAreas  = []string{"electronics", "energy", "logistics", "machinery", "healthcare", "trading"}
	genLands  = []string{"CN", "CN", "CN", "DE", "GB", "SE", "TR", "US"}
	genTypes  = []string{"key", "regular", "prospect"}
)

// genDocs returns n deterministic records of about a kilobyte of mixed
// Chinese and English text, with model numbers.
func genDocs(n int) []visitarchive.IndexDoc {
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func(s []string) string { return s[rng.IntN(len(s))] }
	customers := make([]*visitarchive.Customer, len(genCompanies))
	for i, name := range genCompanies {
		customers[i] = &visitarchive.Customer{ID: visitarchive.CustomerID(fmt.Sprintf("C%02d", i)), Name: name,
			Type: visitarchive.CustomerType(pick(genTypes)), BusinessArea: pick(genAreas), Country: pick(genLands)}
	}
	start := time.Date(2024, 1, 1, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))
	docs := make([]visitarchive.IndexDoc, n)
	for i := range docs {
		c := customers[rng.IntN(len(customers))]
		var b strings.Builder
		for b.Len() < 1000 {
			switch k := rng.IntN(10); {
			case k < 2:
				fmt.Fprintf(&b, "型号%s-%d%s，", pick(genModels), 100+rng.IntN(400), pick([]string{"", "B", "S"}))
			case k < 5:
				fmt.Fprintf(&b, "The customer %s the %s %s. ", pick(genENVerb), pick(genENAdj), pick(genENNoun))
			default:
				fmt.Fprintf(&b, "%s%s%s，%s。", pick(genVerb), pick(genPre), pick(genSuf), pick(genTail))
			}
		}
		r := &visitarchive.Record{
			ID: visitarchive.RecordID(fmt.Sprintf("G%06d", i)), Status: "draft",
			CustomerID: c.ID, CustomerName: c.Name, Topic: pick(genTopics), Summary: b.String(),
			VisitStart: start.Add(time.Duration(i) * 37 * time.Minute), Department: visitarchive.DepartmentID(pick(genDepts)),
			Visitors:          []visitarchive.UserName{visitarchive.UserName(pick(genUsers))},
			CooperationIntent: visitarchive.Intent(pick(visitarchive.Intents)),
		}
		docs[i] = visitarchive.IndexDoc{Record: r, Customer: c}
	}
	return docs
}

// applyAll indexes docs in batches, one journal sequence per batch.
func applyAll(b testing.TB, ix *Index, docs []visitarchive.IndexDoc) {
	for i := 0; i < len(docs); i += benchBatch {
		end := min(i+benchBatch, len(docs))
		if err := ix.Apply(b.Context(), uint64(i/benchBatch+1), docs[i:end], nil); err != nil {
			b.Fatal(err)
		}
	}
}

func dirSize(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

func BenchmarkApply(b *testing.B) {
	docs := genDocs(benchDocs)
	var bytes int
	for _, d := range docs {
		bytes += len(docText(d))
	}
	for b.Loop() {
		dir := b.TempDir()
		ix, err := Open(dir, nil)
		if err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		applyAll(b, ix, docs)
		b.ReportMetric(float64(len(docs))/time.Since(t0).Seconds(), "docs/s")
		if err := ix.Close(); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(dirSize(dir))/1e6, "MB")
	}
	b.ReportMetric(float64(bytes)/float64(len(docs)), "textB/doc")
}

// BenchmarkApplyBleveAlone indexes the same documents with the same
// mapping straight into Bleve: the floor that Apply adds to.
func BenchmarkApplyBleveAlone(b *testing.B) {
	docs := genDocs(benchDocs)
	for b.Loop() {
		dir := b.TempDir()
		bi, err := bleve.New(dir, NewMapping())
		if err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		for i := 0; i < len(docs); i += benchBatch {
			batch := bi.NewBatch()
			for _, d := range docs[i:min(i+benchBatch, len(docs))] {
				if err := batch.Index(string(d.Record.ID), Document(d)); err != nil {
					b.Fatal(err)
				}
			}
			if err := bi.Batch(batch); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(docs))/time.Since(t0).Seconds(), "docs/s")
		if err := bi.Close(); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(dirSize(dir))/1e6, "MB")
	}
}

var (
	benchOnce sync.Once
	benchIx   *Index
	benchErr  error
)

// benchIndex returns the 20,000-record index shared by the search
// benchmarks, built once per run in a directory removed at exit.
func benchIndex(b *testing.B) *Index {
	benchOnce.Do(func() {
		dir, err := os.MkdirTemp("", "index-bench-")
		if err != nil {
			benchErr = err
			return
		}
		if benchIx, benchErr = Open(dir, nil); benchErr == nil {
			applyAll(b, benchIx, genDocs(benchDocs))
		}
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchIx
}

func BenchmarkSearch(b *testing.B) {
	ix := benchIndex(b)
	for _, c := range []struct {
		name string
		q    visitarchive.SearchQuery
	}{
		{"phrase4", visitarchive.SearchQuery{Text: "数据中心"}},
		{"phrase3+filter", visitarchive.SearchQuery{Text: "变频器", Department: "大客户部", Country: "CN"}},
		{"phrase2", visitarchive.SearchQuery{Text: "电池"}},
		{"model", visitarchive.SearchQuery{Text: "LX-300"}},
		{"english", visitarchive.SearchQuery{Text: "backup generator"}},
		{"mixed", visitarchive.SearchQuery{Text: "储能系统 battery"}},
		{"name", visitarchive.SearchQuery{Text: "深圳华强电子有限公司"}},
		{"char-rare", visitarchive.SearchQuery{Text: "焊"}},
		{"char-common", visitarchive.SearchQuery{Text: "客"}},
		{"filter-only-by-date", visitarchive.SearchQuery{Country: "DE", Sort: "-visit_start"}},
		{"match-all", visitarchive.SearchQuery{}},
	} {
		for _, facets := range []bool{true, false} {
			q := c.q
			q.NoFacets = !facets
			name := c.name + map[bool]string{true: "/facets", false: "/nofacets"}[facets]
			b.Run(name, func(b *testing.B) {
				var total uint64
				for b.Loop() {
					res, err := ix.Search(b.Context(), q)
					if err != nil {
						b.Fatal(err)
					}
					total = res.Total
				}
				b.ReportMetric(float64(total), "hits")
			})
		}
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	if benchIx != nil {
		_ = benchIx.Close()
		_ = os.RemoveAll(benchIx.dir)
	}
	os.Exit(code)
}
