package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	va "github.com/visitarchive/visitarchive"
)

// TestTimeZoneSettings: the company's zone comes from --timezone, else
// the file's timezone, else Asia/Shanghai; a name that is no zone stops
// the command, naming where it came from.
func TestTimeZoneSettings(t *testing.T) {
	t.Setenv(smtpPasswordEnv, "")
	berlin := writeConfig(t, `{"timezone": "Europe/Berlin"}`)
	for _, tc := range []struct {
		name  string
		flags storeFlags
		want  string
	}{
		{"default", storeFlags{}, va.DefaultTimeZone},
		{"file", storeFlags{configFile: berlin}, "Europe/Berlin"},
		{"flag over the file", storeFlags{configFile: berlin, timezone: "UTC"}, "UTC"},
	} {
		s, err := tc.flags.settings()
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := s.workflow.Location.String(); got != tc.want {
			t.Errorf("%s: zone %s, want %s", tc.name, got, tc.want)
		}
	}
	bad := writeConfig(t, `{"timezone": "Shanghai"}`)
	for _, tc := range []struct {
		flags storeFlags
		want  []string
	}{
		{storeFlags{configFile: bad}, []string{"config file " + bad, `timezone: "Shanghai" is not a time zone`, "Asia/Shanghai"}},
		{storeFlags{timezone: "+08:00"}, []string{`--timezone: "+08:00" is not a time zone`}},
		{storeFlags{timezone: "Local"}, []string{`--timezone: "Local" is not a time zone`}},
	} {
		_, err := tc.flags.settings()
		for _, w := range tc.want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("settings %+v: %v, want it to say %q", tc.flags, err, w)
			}
		}
	}
}

// TestServeReadsDatesInTheCompanyZone runs the server in a process whose
// zone is UTC: a visit at 07:00 on 2 March in Shanghai (23:00 on 1 March
// UTC) is found under 2 March, the day it was in the company's zone.
func TestServeReadsDatesInTheCompanyZone(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server")
	}
	data, pw := newData(t)
	base, _, _, _ := startServerLogs(t, data, "TZ=UTC", "VISITARCHIVE_TIMEZONE=", "VISITARCHIVE_CONFIG=")
	token := apiToken(t, base, "alice", pw)
	if resp, err := post(base, token, "/api/v1/customers", `{"id":"C1","name":"Acme","customer_type":"key"}`); err != nil || resp.StatusCode != 201 {
		t.Fatalf("create customer: %v %v", resp, err)
	}
	resp, err := post(base, token, "/api/v1/records", `{"customer_id":"C1","visit_start":"2026-03-02T07:00:00+08:00",`+
		`"visit_end":"2026-03-02T08:00:00+08:00","summary":"早班拜访"}`)
	if err != nil || resp.StatusCode != 201 {
		t.Fatalf("create record: %v %v", resp, err)
	}
	resp.Body.Close()
	for day, want := range map[string]int{"2026-03-01": 0, "2026-03-02": 1} {
		req, _ := http.NewRequest("GET", base+"/api/v1/search?from="+day+"&to="+day, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var res struct{ Total int }
		json.NewDecoder(resp.Body).Decode(&res)
		resp.Body.Close()
		if res.Total != want {
			t.Errorf("records of %s: %d, want %d", day, res.Total, want)
		}
	}
}
