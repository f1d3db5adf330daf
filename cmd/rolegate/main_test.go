package main

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

const v3 = "../../policies/tixngo-backoffice-v3.yaml"

// seedTable is seed 001's table transcribed, checked against the seed itself
// by TestSeedTranscription.
const seedTable = "../../policies/testdata/seed001-table.csv"

// seedFile is seed 001, which sits beside the repository in shared/seeds.
const seedFile = "../../../shared/seeds/001_7c4cec28343be674.txt"

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func readCSV(t *testing.T, data string) [][]string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestMatrixEqualsSeedTable is the acceptance check: the V3 policy's
// matrix equals seed 001's table cell for cell.
func TestMatrixEqualsSeedTable(t *testing.T) {
	want, err := os.ReadFile(seedTable)
	if err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCLI(t, "matrix", v3, "--format", "csv")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	got, wantRows := readCSV(t, out), readCSV(t, string(want))
	if len(got) != len(wantRows) {
		t.Fatalf("matrix has %d rows, seed table %d", len(got), len(wantRows))
	}
	for i := range got {
		if !reflect.DeepEqual(got[i], wantRows[i]) {
			t.Errorf("row %d:\n  matrix %v\n  seed   %v", i, got[i], wantRows[i])
		}
	}
}

// TestSeedTranscription proves policies/testdata/seed001-table.csv is the seed's own
// table, read from the seed text: "Page ROLE yes no ..." rows in the column
// order read create update delete search export resend.
func TestSeedTranscription(t *testing.T) {
	seed, err := os.ReadFile(seedFile)
	if os.IsNotExist(err) {
		t.Skipf("%s is not beside this checkout", filepath.Base(seedFile))
	}
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(seedTable)
	if err != nil {
		t.Fatal(err)
	}
	got := parseSeedTable(string(seed))
	wantRows := readCSV(t, string(want))[1:]
	if len(got) != 100 || !reflect.DeepEqual(got, wantRows) {
		t.Fatalf("seed parses to %d rows, differing from the transcription:\n%v", len(got), got)
	}
}

var seedRow = regexp.MustCompile(`^(.*?)(AU|SU|BU|Mod|TS)((?:yes|no){7})$`)
var yesNo = regexp.MustCompile(`yes|no`)

func parseSeedTable(seed string) [][]string {
	var rows [][]string
	var title string
	var prev []string
	for _, line := range strings.Split(seed, "\n") {
		line = strings.TrimSpace(line)
		m := seedRow.FindStringSubmatch(line)
		if m == nil {
			if line != "" {
				prev = append(prev, line)
			}
			continue
		}
		if m[2] == "AU" {
			title = m[1]
			if title == "" && len(prev) >= 2 { // "Support" / "> Spectator" on lines of their own
				title = prev[len(prev)-2] + " " + prev[len(prev)-1]
			}
		}
		rows = append(rows, append([]string{title, m[2]}, yesNo.FindAllString(m[3], -1)...))
		prev = nil
	}
	return rows
}

func TestMatrixMarkdown(t *testing.T) {
	code, out, _ := runCLI(t, "matrix", v3)
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"| Page | Role | read | create | update | delete | search | export | resend |", "| Support > Spectator | SU | yes | no | no | no | yes | no | yes |"} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
}

func TestCheck(t *testing.T) {
	cases := []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"check", v3, "--role", "BU", "POST", "/tickets/42/delete"}, exitOK, "allow: role BASIC is granted tickets.delete"},
		{[]string{"check", v3, "--role=SUPPORT", "POST", "/tickets/42/delete"}, exitDeny, "deny: tickets.delete (route \"POST /tickets/{id}/delete\") is granted to ADMIN, BASIC, MODERATOR, TIXNGO_SUPPORT only"},
		{[]string{"check", v3, "--role", "SU", "--role", "Mod", "POST", "/campaigns"}, exitOK, "allow"},
		{[]string{"check", v3, "GET", "/tickets"}, exitDeny, "deny: no identity"},
		{[]string{"check", v3, "GET", "/static/app.css"}, exitOK, "allow: public route"},
		{[]string{"check", v3, "--role", "AU", "GET", "/nowhere"}, exitDeny, "deny: no route"},
		{[]string{"check", v3, "--role", "AU", "GET", "/tickets/%2e%2e/organizer-profile"}, exitDeny, "400"},
	}
	for _, c := range cases {
		code, out, errs := runCLI(t, c.args...)
		if code != c.code || !strings.Contains(out, c.out) {
			t.Errorf("%v: exit %d, out %q, err %q; want exit %d and %q", c.args, code, out, errs, c.code, c.out)
		}
	}
}

func TestCheckErrors(t *testing.T) {
	code, _, errs := runCLI(t, "check", v3, "--role", "ADMN", "GET", "/")
	if code != exitError || !strings.Contains(errs, `unknown role "ADMN" (did you mean "ADMIN"?)`) {
		t.Errorf("unknown role: exit %d, %q", code, errs)
	}
	code, _, errs = runCLI(t, "check", v3, "GET")
	if code != exitError || !strings.Contains(errs, "expected POLICY METHOD PATH") {
		t.Errorf("missing path: exit %d, %q", code, errs)
	}
}

func TestLint(t *testing.T) {
	code, out, errs := runCLI(t, "lint", v3)
	if code != exitOK || !strings.Contains(out, "ok  "+v3) {
		t.Fatalf("lint v3: exit %d, %q %q", code, out, errs)
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("roles: {R: {}}\npages:\n  p: {actions: {read: {kind: read, routes: [\"GET /p\"]}}}\ngrants: {R: {q: all}}\n"), 0o644)
	code, _, errs = runCLI(t, "lint", v3, bad)
	if code != exitError || !strings.Contains(errs, bad+`:4: grant R: unknown page "q"`) {
		t.Fatalf("lint bad: exit %d, %q", code, errs)
	}
	failing := filepath.Join(t.TempDir(), "failing.yaml")
	os.WriteFile(failing, []byte("roles: {R: {}}\npages:\n  p: {actions: {read: {kind: read, routes: [\"GET /p\"]}}}\ntests:\n  - {role: R, request: \"GET /p\", expect: allow}\n"), 0o644)
	code, _, errs = runCLI(t, "lint", failing)
	if code != exitError || !strings.Contains(errs, failing+":5: tests[0]: GET /p: expected allow, got deny") {
		t.Fatalf("lint failing tests: exit %d, %q", code, errs)
	}
}

func TestUsage(t *testing.T) {
	if code, _, _ := runCLI(t); code != exitUsage {
		t.Errorf("no args: exit %d", code)
	}
	if code, _, errs := runCLI(t, "lnit"); code != exitUsage || !strings.Contains(errs, `unknown command "lnit"`) {
		t.Errorf("unknown command: exit %d %q", code, errs)
	}
	if code, _, _ := runCLI(t, "matrix", v3, "--format", "xml"); code != exitUsage {
		t.Errorf("bad format: exit %d", code)
	}
}

// TestLintEveryPolicy: every policy in policies/ loads, compiles and passes
// its own tests, and renders as a matrix.
func TestLintEveryPolicy(t *testing.T) {
	files, _ := filepath.Glob("../../policies/*.yaml")
	if len(files) < 5 {
		t.Fatalf("%d policies, want the five seed systems", len(files))
	}
	code, out, errs := runCLI(t, append([]string{"lint"}, files...)...)
	if code != exitOK || strings.Count(out, "ok  ") != len(files) {
		t.Fatalf("lint: exit %d\n%s%s", code, out, errs)
	}
	for _, f := range files {
		if code, _, errs := runCLI(t, "matrix", f, "--format", "csv"); code != exitOK {
			t.Errorf("matrix %s: %s", f, errs)
		}
	}
}

func TestCheckWithAttributesAndFlags(t *testing.T) {
	cases := []struct {
		args []string
		code int
	}{
		{[]string{"check", "../../policies/vtiger-customer-portal.yaml", "--attr", "department=accounting", "GET", "/crm/invoices"}, exitOK},
		{[]string{"check", "../../policies/vtiger-customer-portal.yaml", "--attr", "department=technical", "GET", "/crm/invoices"}, exitDeny},
		{[]string{"check", "../../policies/ixpole-vip-portal.yaml", "--attr", "account=acme", "--attr", "ticket_role=Contract", "--attr", `sales=["s1"]`, "GET", "/vip/accounts/acme/sales/s1/tickets"}, exitOK},
		{[]string{"check", "../../policies/ixpole-vip-portal.yaml", "--attr", "account=acme", "--attr", "ticket_role=Contract", "--attr", `sales=["s1"]`, "GET", "/vip/accounts/acme/sales/s2/tickets"}, exitDeny},
		{[]string{"check", "../../policies/tixngo-backoffice-v4.yaml", "--role", "AU", "POST", "/v4/templates/email"}, exitDeny},
		{[]string{"check", "../../policies/tixngo-backoffice-v4.yaml", "--role", "AU", "--feature", "ticket.email.custom", "POST", "/v4/templates/email"}, exitOK},
	}
	for _, c := range cases {
		if code, out, errs := runCLI(t, c.args...); code != c.code {
			t.Errorf("%v: exit %d (%s%s), want %d", c.args[2:], code, out, errs, c.code)
		}
	}
}
