package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hubsync/hubsync/emulator"
)

// hubsyncBin is the binary built once for the end-to-end tests.
var hubsyncBin string

const testToken = "pat-na1-test-token-e2e"

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "hubsync-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	hubsyncBin = filepath.Join(dir, "hubsync")
	build := exec.Command("go", "build", "-o", hubsyncBin, ".")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build hubsync:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// startEmulator starts an emulator on a free loopback port for the test.
func startEmulator(t *testing.T, cfg emulator.Config) (*emulator.Server, string) {
	t.Helper()
	return startEmulatorTB(t, cfg)
}

func startEmulatorTB(t testing.TB, cfg emulator.Config) (*emulator.Server, string) {
	t.Helper()
	if cfg.Token == "" {
		cfg.Token = testToken
	}
	srv, err := emulator.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	url, err := srv.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv, url
}

// result is how one run of the binary ended.
type result struct {
	code           int
	stdout, stderr string
	elapsed        time.Duration
}

// runHubsync runs the binary with args and the test token in its
// environment.
func runHubsync(t testing.TB, args ...string) result {
	t.Helper()
	cmd := exec.Command(hubsyncBin, args...)
	cmd.Env = append(os.Environ(), "HUBSPOT_ACCESS_TOKEN="+testToken)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	res := result{stdout: out.String(), stderr: errb.String(), elapsed: time.Since(start)}
	if ee, ok := err.(*exec.ExitError); ok {
		res.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run hubsync: %v", err)
	}
	if strings.Contains(res.stdout+res.stderr, testToken) {
		t.Fatalf("the access token appears in hubsync's output")
	}
	return res
}

// The properties the generated files write, all on communications.
var genProps = []string{"hs_communication_body", "hs_communication_channel_type", "message_count", "is_priority", "topics"}

// dataset is a generated input with what a correct sync must leave behind.
type dataset struct {
	path string
	// want is every record's expected final value of genProps (a missing
	// key: never set), for records that at least one row applies to.
	want map[string]map[string]string
	// dead is the expected dead-letter file: source line → error code.
	dead map[int64]string
	rows int
}

// genOptions shape a generated file.
type genOptions struct {
	rows      int
	seedIDs   int // ids 1..seedIDs exist in the emulator
	distinct  int // how many different ids the valid rows use (repeats are certain when < rows)
	badEvery  int // every badEvery-th row is malformed, missing its id, or names a record that does not exist
	seed      uint64
	multiline bool // CSV bodies with quoted newlines, commas and quotes
	unique    bool // row i updates record i+1: no id repeats
}

// generate writes a CSV or JSONL file (by the extension of name) into dir.
func generate(t testing.TB, dir, name string, o genOptions) *dataset {
	t.Helper()
	rng := rand.New(rand.NewPCG(o.seed, 7))
	ds := &dataset{path: filepath.Join(dir, name), want: map[string]map[string]string{}, dead: map[int64]string{}, rows: o.rows}
	isCSV := strings.HasSuffix(name, ".csv")
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	line := int64(1)
	if isCSV {
		cw.Write(append([]string{"id"}, genProps...))
		cw.Flush()
		line = 2
	}
	channels := []string{"WHATS_APP", "LINKEDIN_MESSAGE", "SMS"}
	topics := []string{"BILLING", "SUPPORT", "SALES", "FEEDBACK"}
	for i := range o.rows {
		id := strconv.Itoa(1 + rng.IntN(max(o.distinct, 1)))
		if o.unique {
			id = strconv.Itoa(i + 1)
		}
		body := fmt.Sprintf("message %d for %s", i, id)
		if o.multiline && i%7 == 0 {
			body = fmt.Sprintf("line one, \"quoted\"\nline two of row %d", i)
		}
		vals := []string{body, channels[rng.IntN(3)], strconv.Itoa(rng.IntN(1000)),
			strconv.FormatBool(rng.IntN(2) == 0), topics[rng.IntN(4)] + ";" + topics[rng.IntN(4)]}
		if vals[4] == topics[0]+";"+topics[0] {
			vals[4] = topics[0]
		}
		if rng.IntN(10) == 0 {
			vals[2] = "" // empty cell or absent key: leaves the property alone
		}
		kind := "ok"
		if o.badEvery > 0 && i%o.badEvery == o.badEvery-1 {
			kind = []string{"malformed", "noid", "notfound"}[(i/o.badEvery)%3]
		}
		start := line
		switch kind {
		case "noid":
			id = ""
			ds.dead[start] = "MISSING_ID"
		case "notfound":
			id = strconv.Itoa(o.seedIDs + 1 + rng.IntN(1000))
			ds.dead[start] = "OBJECT_NOT_FOUND"
		case "malformed":
			if isCSV {
				ds.dead[start] = "MALFORMED_ROW"
			} else {
				ds.dead[start] = "INVALID_JSON"
			}
		}
		if isCSV {
			if kind == "malformed" {
				fmt.Fprintf(&buf, "%s,only two cells\n", id)
				line++
			} else {
				cw.Write(append([]string{id}, vals...))
				cw.Flush()
				line += 1 + int64(strings.Count(body, "\n"))
			}
		} else {
			switch kind {
			case "malformed":
				fmt.Fprintf(&buf, "{\"id\": \"%s\", \"hs_communication_body\": \"unterminated\n", id)
			default:
				obj := map[string]any{}
				if id != "" {
					obj["id"] = id
				}
				for k, name := range genProps {
					if vals[k] == "" {
						continue
					}
					obj[name] = vals[k]
				}
				if n, err := strconv.Atoi(vals[2]); err == nil {
					obj["message_count"] = n // a JSON number, sent as its text
				}
				b, _ := json.Marshal(obj)
				buf.Write(append(b, '\n'))
			}
			line++
		}
		if kind == "ok" {
			rec := ds.want[id]
			if rec == nil {
				rec = map[string]string{}
				ds.want[id] = rec
			}
			for k, name := range genProps {
				if vals[k] != "" {
					rec[name] = vals[k]
				}
			}
		}
	}
	if err := os.WriteFile(ds.path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return ds
}

// checkState compares the emulator's records with the dataset's expected
// final values.
func checkState(t *testing.T, srv *emulator.Server, ds *dataset) {
	t.Helper()
	bad := 0
	for id, want := range ds.want {
		got, ok := srv.Record("communications", id)
		if !ok {
			t.Errorf("record %s was never written", id)
			bad++
		}
		for _, name := range genProps {
			if got[name] != want[name] {
				t.Errorf("record %s: %s = %q, want %q", id, name, got[name], want[name])
				bad++
			}
		}
		if bad > 10 {
			t.Fatal("too many differences")
		}
	}
	if got := len(srv.Records("communications")); got != len(ds.want) {
		t.Errorf("%d records written, want %d", got, len(ds.want))
	}
}

// readDeadLetters returns source line → error code of every entry in a
// dead-letter file, failing the test on a line that appears twice.
func readDeadLetters(t *testing.T, path string) map[int64]string {
	t.Helper()
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return map[int64]string{}
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got := map[int64]string{}
	add := func(line int64, code string) {
		if _, dup := got[line]; dup {
			t.Errorf("dead-letter file holds line %d twice", line)
		}
		got[line] = code
	}
	if strings.HasSuffix(path, ".csv") {
		r := csv.NewReader(f)
		r.FieldsPerRecord = -1
		rows, err := r.ReadAll()
		if err != nil {
			t.Fatalf("dead-letter file is not valid CSV: %v", err)
		}
		header := rows[0]
		col := func(name string) int {
			for i, h := range header {
				if h == name {
					return i
				}
			}
			t.Fatalf("dead-letter header %v lacks %s", header, name)
			return -1
		}
		codeCol, lineCol := col("_error_code"), col("_source_line")
		for _, row := range rows[1:] {
			line, err := strconv.ParseInt(row[lineCol], 10, 64)
			if err != nil {
				t.Fatalf("dead-letter row %v: bad _source_line", row)
			}
			add(line, row[codeCol])
		}
		return got
	}
	dec := json.NewDecoder(f)
	for {
		var entry struct {
			Error struct {
				Code string `json:"code"`
				Line int64  `json:"line"`
			} `json:"_error"`
		}
		if err := dec.Decode(&entry); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("dead-letter file is not valid JSON Lines: %v", err)
		}
		add(entry.Error.Line, entry.Error.Code)
	}
	return got
}

// waitExit waits for cmd and returns its exit status, failing the test
// when it takes longer than timeout.
func waitExit(t *testing.T, cmd *exec.Cmd, timeout time.Duration) (int, time.Duration) {
	t.Helper()
	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode(), time.Since(start)
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0, time.Since(start)
	case <-time.After(timeout):
		cmd.Process.Kill()
		<-done
		t.Fatalf("still running %s after the signal", timeout)
		return 0, 0
	}
}
