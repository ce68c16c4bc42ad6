package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	va "github.com/visitarchive/visitarchive"
)

// generator makes a corpus of customers and visit records. Every choice
// comes from one seeded PCG stream, so the same seed and size give the
// same bytes.
type generator struct {
	rng       *rand.Rand
	n         int         // records
	models    [][]string  // model numbers by area
	customers []*customer // in ID order
	cumWeight []float64   // cumulative visit weights of customers
}

// customer is a generated customer with what its records draw on.
type customer struct {
	*va.Customer
	area    int
	country int
	city    string
	owner   int      // index into users of the account manager
	models  []string // the models this customer buys
	weight  float64  // how often it is visited
}

// importLine is one line of the import file.
type importLine struct {
	Customer *va.Customer `json:"customer,omitempty"`
	Record   *va.Record   `json:"record,omitempty"`
}

// customersFor is how many customers a corpus of n records has: about 2%.
func customersFor(n int) int { return max(1, n/50) }

// newGenerator builds the model catalogue and the customers of a corpus
// of n records.
func newGenerator(seed uint64, n int) *generator {
	g := &generator{rng: rand.New(rand.NewPCG(seed, 0x76697369746172)), n: n}
	g.catalogue()
	g.makeCustomers(customersFor(n))
	return g
}

// catalogue makes 25 model numbers per area: LX-3021B, HX-200, SP-450W.
func (g *generator) catalogue() {
	seen := map[string]bool{}
	g.models = make([][]string, len(areas))
	for i, a := range areas {
		for len(g.models[i]) < 25 {
			m := g.modelNumber(a)
			if !seen[m] {
				seen[m] = true
				g.models[i] = append(g.models[i], m)
			}
		}
	}
}

func (g *generator) modelNumber(a area) string {
	p := pick(g.rng, a.prefixes)
	var num string
	switch g.rng.IntN(3) {
	case 0:
		num = strconv.Itoa(100 * (1 + g.rng.IntN(9))) // HX-200
	default:
		num = strconv.Itoa(1000 + g.rng.IntN(9000)) // LX-3021
	}
	if g.rng.IntN(2) == 0 {
		num += string(rune('A' + g.rng.IntN(8))) // LX-3021B
	}
	return p + "-" + num
}

func (g *generator) makeCustomers(k int) {
	names := map[string]bool{}
	var total float64
	for i := range k {
		c := g.makeCustomer(i, names)
		total += c.weight
		g.customers = append(g.customers, c)
		g.cumWeight = append(g.cumWeight, total)
	}
}

func (g *generator) makeCustomer(i int, names map[string]bool) *customer {
	c := &customer{area: g.rng.IntN(len(areas)), country: pickCountry(g.rng), owner: g.rng.IntN(len(users))}
	co := countries[c.country]
	c.city = pick(g.rng, co.cities)
	typ, weight := va.CustomerTypeRegular, 1.0
	switch u := g.rng.Float64(); {
	case u < 0.15:
		typ, weight = va.CustomerTypeKey, 4
	case u < 0.50:
		typ, weight = va.CustomerTypeProspect, 0.4
	}
	c.weight = weight * (0.5 + g.rng.Float64())
	name := g.companyName(c, names)
	names[name] = true
	c.Customer = &va.Customer{
		ID:           va.CustomerID(fmt.Sprintf("C%05d", i+1)),
		Name:         name,
		Type:         typ,
		BusinessArea: areas[c.area].name,
		Country:      co.code,
	}
	for range 1 + g.rng.IntN(3) {
		c.Contacts = append(c.Contacts, g.contact(c))
	}
	for range 2 + g.rng.IntN(4) {
		c.models = append(c.models, pick(g.rng, g.models[c.area]))
	}
	return c
}

// pickCountry picks a country by its weight.
func pickCountry(rng *rand.Rand) int {
	total := 0
	for _, c := range countries {
		total += c.weight
	}
	n := rng.IntN(total)
	for i, c := range countries {
		if n < c.weight {
			return i
		}
		n -= c.weight
	}
	return len(countries) - 1
}

// companyName makes a name not in names: 深圳华强电子有限公司 for a Chinese
// customer, Müller Logistics GmbH for the others.
func (g *generator) companyName(c *customer, names map[string]bool) string {
	a, co := areas[c.area], countries[c.country]
	for try := 0; ; try++ {
		var s string
		if co.code == "CN" {
			trade := pick(g.rng, a.zhTrades)
			if g.rng.IntN(4) == 0 {
				trade = pick(g.rng, cnTrades)
			}
			s = pick(g.rng, cnCities) + pick(g.rng, cnCores) + trade + pick(g.rng, cnSuffixes)
		} else {
			trade := pick(g.rng, a.enTrades)
			if g.rng.IntN(3) == 0 {
				trade = pick(g.rng, enTrades)
			}
			s = pick(g.rng, enNames) + " " + trade
			if try > 3 {
				s += " " + c.city
			}
			s += " " + pick(g.rng, co.suffixes)
		}
		if !names[s] {
			return s
		}
	}
}

func (g *generator) contact(c *customer) va.Contact {
	co := countries[c.country]
	var p va.Contact
	var local string
	if co.code == "CN" {
		s, gv := g.rng.IntN(len(cnSurnames)), g.rng.IntN(len(cnGiven))
		p.Name = cnSurnames[s] + cnGiven[gv]
		if g.rng.IntN(2) == 0 {
			gv2 := g.rng.IntN(len(cnGiven))
			p.Name += cnGiven[gv2]
			local = cnSurnamesPY[s] + "." + cnGivenPY[gv] + cnGivenPY[gv2]
		} else {
			local = cnSurnamesPY[s] + "." + cnGivenPY[gv]
		}
	} else {
		first, last := pick(g.rng, enFirst), pick(g.rng, enLast)
		p.Name = first + " " + last
		local = ascii(first) + "." + ascii(last)
	}
	p.Title = pick(g.rng, titles)
	p.Phone = fmt.Sprintf("%s %d %04d %04d", co.phone, 10+g.rng.IntN(90), g.rng.IntN(10000), g.rng.IntN(10000))
	p.Email = local + "@" + domain(c.Name, c.ID) + "." + co.tld
	return p
}

// ascii lower-cases s and keeps only a-z, spelling out the umlauts, so
// that it can be part of an e-mail address.
func ascii(s string) string {
	s = strings.NewReplacer("ü", "ue", "ö", "oe", "ä", "ae", "Ü", "Ue", "é", "e", "í", "i", "ã", "a", "ń", "n").Replace(s)
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// domain is the e-mail domain of a company: the first two words of an
// English name, or a code for a Chinese one.
func domain(name string, id va.CustomerID) string {
	f := strings.Fields(name)
	if len(f) >= 2 {
		if d := ascii(f[0]) + "-" + ascii(f[1]); len(d) > 2 {
			return d
		}
	}
	return "corp-" + strings.ToLower(string(id))
}

// WriteCorpus writes every customer, then n records, as import lines.
func (g *generator) WriteCorpus(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for _, c := range g.customers {
		if err := enc.Encode(importLine{Customer: c.Customer}); err != nil {
			return err
		}
	}
	for i := range g.n {
		if err := enc.Encode(importLine{Record: g.record(i)}); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// The visits fall on weekdays between these dates.
var (
	firstDay = time.Date(2022, 1, 3, 0, 0, 0, 0, time.UTC)
	lastDay  = time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)
)

// record makes record i: a visit to a customer picked by weight.
func (g *generator) record(i int) *va.Record {
	c := g.pickCustomer()
	f := &filler{g: g, c: c}
	r := &va.Record{
		ID:           va.RecordID(fmt.Sprintf("R%07d", i+1)),
		CustomerID:   c.ID,
		CustomerName: c.Name,
	}
	onsite := g.visitPlace(r, c, f)
	g.visitTimes(r, c, onsite)
	g.visitors(r, c)
	ct := pick(g.rng, c.Contacts)
	r.ContactName, r.ContactPhone, r.ContactEmail = ct.Name, ct.Phone, ct.Email
	r.Topic = f.fill(pick(g.rng, topicTemplates))
	r.Summary = f.paragraph(900 + g.rng.IntN(300))
	r.CustomerSituation = f.sentences(situationTemplates, 1+g.rng.IntN(2))
	r.Needs = f.sentences(needsTemplates, 1+g.rng.IntN(2))
	r.ProductFeedback = f.sentences(productFeedbackTemplates, 1+g.rng.IntN(2))
	r.CustomerFeedback = f.sentences(customerFeedbackTemplates, 1)
	r.CompetitorInfo = f.sentences(competitorTemplates, 1+g.rng.IntN(2))
	r.FollowUp = f.sentences(followUpTemplates, 1+g.rng.IntN(2))
	r.CooperationIntent = g.intent(c)
	if c.Type == va.CustomerTypeKey {
		r.OnsiteNotes = f.sentences(onsiteTemplates, 1+g.rng.IntN(2))
		for range 2 + g.rng.IntN(3) {
			r.DecisionChain = append(r.DecisionChain, g.decisionMaker(c, f))
		}
	}
	return r
}

func (g *generator) pickCustomer() *customer {
	u := g.rng.Float64() * g.cumWeight[len(g.cumWeight)-1]
	lo, hi := 0, len(g.cumWeight)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if g.cumWeight[mid] > u {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return g.customers[lo]
}

// visitPlace sets the location and reports whether the visit was at the
// customer's site.
func (g *generator) visitPlace(r *va.Record, c *customer, f *filler) bool {
	switch u := g.rng.IntN(100); {
	case u < 50:
		r.Location = c.city + " " + countries[c.country].zh + " 客户办公室"
		return true
	case u < 75:
		r.Location = pick(g.rng, locationsHome)
	case u < 90:
		r.Location = pick(g.rng, fairs) + " 展台 " + strconv.Itoa(1+g.rng.IntN(12)) + "." + strconv.Itoa(1+g.rng.IntN(3)) + string(rune('A'+g.rng.IntN(6))) + strconv.Itoa(10+g.rng.IntN(80))
	default:
		r.Location = "线上视频会议 (Teams)"
	}
	return false
}

func (g *generator) visitTimes(r *va.Record, c *customer, onsite bool) {
	offset := 8
	if onsite {
		offset = countries[c.country].offset
	}
	zone := time.FixedZone("", offset*3600)
	days := int(lastDay.Sub(firstDay).Hours() / 24)
	d := firstDay.AddDate(0, 0, g.rng.IntN(days+1))
	switch d.Weekday() {
	case time.Saturday:
		d = d.AddDate(0, 0, 2)
	case time.Sunday:
		d = d.AddDate(0, 0, 1)
	}
	start := time.Date(d.Year(), d.Month(), d.Day(), 9+g.rng.IntN(8), 15*g.rng.IntN(4), 0, 0, zone)
	r.VisitStart = start
	r.VisitEnd = start.Add(time.Duration(2+g.rng.IntN(15)) * 15 * time.Minute)
}

// visitors: the customer's account manager most of the time, sometimes
// with colleagues of the same department.
func (g *generator) visitors(r *va.Record, c *customer) {
	lead := c.owner
	if g.rng.IntN(10) < 3 {
		lead = g.rng.IntN(len(users))
	}
	r.Visitors = []va.UserName{va.UserName(users[lead])}
	dept := lead % len(departments)
	for range g.rng.IntN(3) {
		other := (dept + len(departments)*g.rng.IntN(len(users)/len(departments))) % len(users)
		if other != lead && !containsUser(r.Visitors, users[other]) {
			r.Visitors = append(r.Visitors, va.UserName(users[other]))
		}
	}
	r.Department = va.DepartmentID(departments[dept])
}

func containsUser(us []va.UserName, u string) bool {
	for _, x := range us {
		if string(x) == u {
			return true
		}
	}
	return false
}

// intent: key customers lean towards high and signed, prospects to low.
func (g *generator) intent(c *customer) va.Intent {
	shift := 0.0
	switch c.Type {
	case va.CustomerTypeKey:
		shift = 0.25
	case va.CustomerTypeProspect:
		shift = -0.2
	}
	u := min(max(g.rng.Float64()+shift, 0), 0.999)
	cut := []float64{0.10, 0.35, 0.70, 0.90, 1}
	for i, x := range cut {
		if u < x {
			return va.Intent(va.Intents[i])
		}
	}
	return va.IntentSigned
}

func (g *generator) decisionMaker(c *customer, f *filler) va.DecisionMaker {
	ct := g.contact(c)
	return va.DecisionMaker{
		Name:     ct.Name,
		Role:     ct.Title,
		Attitude: va.Attitude(pick(g.rng, attitudes)),
		Notes:    f.fill("关注{T}，倾向{X}。"),
	}
}

// filler fills templates for one record of customer c.
type filler struct {
	g *generator
	c *customer
}

// paragraph joins summary sentences until the text is at least size bytes.
func (f *filler) paragraph(size int) string {
	var b strings.Builder
	for b.Len() < size {
		b.WriteString(f.fill(pick(f.g.rng, summaryTemplates)))
	}
	return b.String()
}

func (f *filler) sentences(templates []string, k int) string {
	var b strings.Builder
	for range k {
		b.WriteString(f.fill(pick(f.g.rng, templates)))
	}
	return b.String()
}

// fill replaces each {SLOT} of t.
func (f *filler) fill(t string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(t, '{')
		if i < 0 {
			b.WriteString(t)
			return b.String()
		}
		j := strings.IndexByte(t[i:], '}')
		b.WriteString(t[:i])
		b.WriteString(f.slot(t[i+1 : i+j]))
		t = t[i+j+1:]
	}
}

func (f *filler) slot(name string) string {
	g, rng := f.g, f.g.rng
	a := areas[f.c.area]
	if rng.IntN(5) == 0 { // now and then a product of another area
		a = areas[rng.IntN(len(areas))]
	}
	switch name {
	case "P":
		return pick(rng, a.products).zh
	case "E":
		return pick(rng, a.products).en
	case "M":
		if rng.IntN(4) == 0 {
			return pick(rng, g.models[rng.IntN(len(areas))])
		}
		return pick(rng, f.c.models)
	case "T":
		return zhTerms[skewed(rng, len(zhTerms))]
	case "X":
		return enTerms[skewed(rng, len(enTerms))]
	case "PAY":
		return pick(rng, payTerms)
	case "INC":
		return pick(rng, incoterms)
	case "S":
		return pick(rng, standards)
	case "C":
		return pick(rng, competitors)
	case "Q":
		return strconv.Itoa([]int{200, 500, 1000, 2000, 5000, 10000, 20000, 50000}[rng.IntN(8)])
	case "U":
		return strconv.Itoa(5 + rng.IntN(500))
	case "PCT":
		return strconv.Itoa(3 + rng.IntN(13))
	case "N":
		return strconv.Itoa(2 + rng.IntN(11))
	case "MON":
		return strconv.Itoa(1+rng.IntN(12)) + "月"
	case "PORT":
		return pick(rng, ports)
	case "FAIR":
		return pick(rng, fairs)
	case "CITY":
		return f.c.city
	case "COUNTRY":
		return countries[f.c.country].zh
	case "YEAR":
		return strconv.Itoa(1985 + rng.IntN(35))
	case "AREA":
		return areas[f.c.area].name
	}
	panic("bench: unknown template slot {" + name + "}")
}

// skewed returns an index below n, small ones far more often (about
// Zipf-like), so that early words are common and late ones rare.
func skewed(rng *rand.Rand, n int) int {
	return min(int(math.Pow(rng.Float64(), 2.5)*float64(n)), n-1)
}

func pick[T any](rng *rand.Rand, s []T) T { return s[rng.IntN(len(s))] }
