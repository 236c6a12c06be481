package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The README's tour is run as a newcomer runs it: every ```sh or ```bash
// block that calls curl is executed by bash, in order, against a service
// started by run on a free port with a temporary registry. Variables a block
// sets (KEY=$(…), ID=$(…)) are kept for the blocks after it, as in one
// shell. localhost:8080 becomes the test service's address; `go run . ARGS`
// (the credential commands) runs ARGS through run in a helper process of
// this test binary, against the same registry. curl is a wrapper that
// reports every answer's status on stderr.
//
// Each request must get a 2xx status, or a status the README shows for the
// block: "status": NNN in the output block right after it, or HTTP/1.1 NNN
// in the block or that output. Every status shown must come back. A block
// that must not run is marked by the line right before its fence:
//
//	<!-- readme-test: skip (reason) -->
//
// The test needs bash, curl and jq: it skips when one is missing, except
// under CI=true, where it fails.

// readmeBlock is one fenced shell block of the README that calls curl.
type readmeBlock struct {
	line   int    // line of the opening fence in README.md
	code   string // the block's text, without the fences
	skip   string // reason from a readme-test: skip mark; empty = run
	shown  []int  // statuses the README shows for the block
	assign []string
}

var (
	readmeSkipMark  = regexp.MustCompile(`^<!--\s*readme-test:\s*skip\b(.*?)-->\s*$`)
	readmeShownJSON = regexp.MustCompile(`"status":\s*([1-5][0-9][0-9])\b`)
	readmeShownHTTP = regexp.MustCompile(`HTTP/[0-9.]+\s+([1-5][0-9][0-9])\b`)
	readmeAssign    = regexp.MustCompile(`(?m)^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=`)
	readmeCurl      = regexp.MustCompile(`(?m)(^|[\s$(|;&])curl\s`)
)

// parseReadmeBlocks returns the shell blocks of a Markdown text that call
// curl. A block fenced with another language that calls curl is an error:
// it would silently escape the test.
func parseReadmeBlocks(md string) ([]readmeBlock, error) {
	type fence struct {
		line       int
		lang, code string
		before     string // the last non-blank line before the fence
	}
	var fences []fence
	lines := strings.Split(md, "\n")
	prev := ""
	for i := 0; i < len(lines); i++ {
		l := strings.TrimSpace(lines[i])
		if !strings.HasPrefix(l, "```") {
			if l != "" {
				prev = l
			}
			continue
		}
		f := fence{line: i + 1, lang: strings.TrimSpace(strings.TrimPrefix(l, "```")), before: prev}
		var code []string
		closed := false
		for i++; i < len(lines); i++ {
			if strings.TrimSpace(lines[i]) == "```" {
				closed = true
				break
			}
			code = append(code, lines[i])
		}
		if !closed {
			return nil, fmt.Errorf("README.md:%d: the fence is never closed", f.line)
		}
		f.code = strings.Join(code, "\n") + "\n"
		fences = append(fences, f)
		prev = "```"
	}
	var blocks []readmeBlock
	for k, f := range fences {
		if !readmeCurl.MatchString(f.code) {
			continue
		}
		if f.lang != "sh" && f.lang != "bash" {
			return nil, fmt.Errorf("README.md:%d: a block fenced as %q calls curl; fence it as ```sh so that it is tested", f.line, f.lang)
		}
		b := readmeBlock{line: f.line, code: f.code}
		if m := readmeSkipMark.FindStringSubmatch(f.before); m != nil {
			b.skip = strings.Trim(strings.TrimSpace(m[1]), "()")
			if b.skip == "" {
				b.skip = "no reason given"
			}
		}
		shown := f.code
		// The output block right after this one (nothing but blank lines
		// between them) shows what the README promises.
		if k+1 < len(fences) && fences[k+1].lang != "sh" && fences[k+1].lang != "bash" &&
			strings.TrimSpace(strings.Join(lines[f.line+strings.Count(f.code, "\n")+1:fences[k+1].line-1], "")) == "" {
			shown += fences[k+1].code
			for _, m := range readmeShownJSON.FindAllStringSubmatch(fences[k+1].code, -1) {
				n, _ := strconv.Atoi(m[1])
				b.shown = append(b.shown, n)
			}
		}
		for _, m := range readmeShownHTTP.FindAllStringSubmatch(shown, -1) {
			n, _ := strconv.Atoi(m[1])
			b.shown = append(b.shown, n)
		}
		for _, m := range readmeAssign.FindAllStringSubmatch(f.code, -1) {
			if !slices.Contains(b.assign, m[1]) {
				b.assign = append(b.assign, m[1])
			}
		}
		blocks = append(blocks, b)
	}
	return blocks, nil
}

func TestREADMEBlocksParse(t *testing.T) {
	md := "# x\n\n```sh\ngo run .\n```\n\n" + // no curl: not a block
		"```sh\nKEY=abc\ncurl -s localhost:8080/a\n```\n" + // line 7
		"```json\n{\"status\": 422}\n```\n\n" +
		"<!-- readme-test: skip (starts something) -->\n```bash\ncurl -s -i x \\\n  -d 1\n# HTTP/1.1 201 Created\n```\n\n" + // line 16
		"```sh\necho $(curl -s y)\n```\n\ntext\n\n```json\n{\"status\": 404}\n```\n" // line 22: output not adjacent
	blocks, err := parseReadmeBlocks(md)
	if err != nil {
		t.Fatal(err)
	}
	if len(blocks) != 3 {
		t.Fatalf("%d blocks, want 3: %+v", len(blocks), blocks)
	}
	b := blocks[0]
	if b.line != 7 || b.skip != "" || !slices.Equal(b.shown, []int{422}) || !slices.Equal(b.assign, []string{"KEY"}) {
		t.Errorf("block 1: %+v", b)
	}
	b = blocks[1]
	if b.line != 16 || b.skip != "starts something" || !slices.Equal(b.shown, []int{201}) {
		t.Errorf("block 2: %+v", b)
	}
	b = blocks[2]
	if b.line != 22 || len(b.shown) != 0 {
		t.Errorf("block 3: %+v", b)
	}
	if _, err := parseReadmeBlocks("```console\n$ curl -s x\n```\n"); err == nil || !strings.Contains(err.Error(), "README.md:1:") {
		t.Errorf("a curl block fenced as console: %v", err)
	}
}

// readmeStatusMark starts the line the curl wrapper writes to stderr after
// each request.
const readmeStatusMark = "@@readme-test status "

func TestREADMECurlBlocks(t *testing.T) {
	var missing []string
	tools := map[string]string{}
	for _, tool := range []string{"bash", "curl", "jq"} {
		p, err := exec.LookPath(tool)
		if err != nil {
			missing = append(missing, tool)
		}
		tools[tool] = p
	}
	if len(missing) > 0 {
		msg := fmt.Sprintf("the README's curl blocks need %s, not found on PATH (Debian: apt-get install %s)",
			strings.Join(missing, ", "), strings.Join(missing, " "))
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	md, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks, err := parseReadmeBlocks(string(md))
	if err != nil {
		t.Fatal(err)
	}
	if len(blocks) == 0 {
		t.Fatal("README.md has no ```sh block calling curl; the parser or the README changed")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}

	dataDir := t.TempDir()
	base, _, _, out := startRun(t, map[string]string{"ALCARBON_DATA_DIR": dataDir})
	host := strings.TrimPrefix(base, "http://")

	work := t.TempDir()
	bin := filepath.Join(work, "bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	// -q first: no ~/.curlrc. The status goes to stderr, so stdout stays
	// what the README's pipes (| jq) read.
	wrapper := "#!/bin/sh\nexec " + shellQuote(tools["curl"]) + ` -q "$@" -w '%{stderr}\n` + readmeStatusMark + `%{http_code} %{method} %{url_effective}\n'` + "\n"
	if err := os.WriteFile(filepath.Join(bin, "curl"), []byte(wrapper), 0o755); err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(work, "state.sh")
	if err := os.WriteFile(state, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	// `go run . ARGS` runs ARGS through run in this test binary
	// (TestREADMEHelperProcess), against the test's registry.
	prelude := `go() {
  if [ "$1" != run ] || [ "$2" != . ]; then echo "readme test: only 'go run . ARGS' can run in a block" >&2; return 2; fi
  shift 2
  if [ $# -eq 0 ]; then echo "readme test: 'go run .' would start a second server; the test has started one" >&2; return 2; fi
  "$README_TEST_BINARY" -test.run='^TestREADMEHelperProcess$' -- "$@"
}
source "$README_TEST_STATE"
set -euo pipefail
`
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "ALCARBON_") || strings.HasPrefix(kv, "PATH=") || strings.HasPrefix(kv, "CURL_HOME=") {
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"ALCARBON_DATA_DIR="+dataDir, "README_TEST_HELPER=1", "README_TEST_BINARY="+self, "README_TEST_STATE="+state)

	ran := 0
	for _, b := range blocks {
		name := fmt.Sprintf("README.md:%d", b.line)
		if b.skip != "" {
			t.Logf("%s: skipped (%s)", name, b.skip)
			continue
		}
		ran++
		code := strings.NewReplacer("localhost:8080", host, "127.0.0.1:8080", host).Replace(b.code)
		var script strings.Builder
		script.WriteString(prelude)
		script.WriteString(code)
		script.WriteString("\nset +u\n")
		for _, v := range b.assign {
			fmt.Fprintf(&script, "declare -p %s >> \"$README_TEST_STATE\"\n", v)
		}
		file := filepath.Join(work, fmt.Sprintf("block-%d.sh", b.line))
		if err := os.WriteFile(file, []byte(script.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		cmd := exec.CommandContext(ctx, tools["bash"], "--noprofile", "--norc", file)
		cmd.Env = env
		// The blocks run in the test's scratch directory, as in a
		// newcomer's own: a file a block writes (curl -o, > file) and the
		// next block reads stays out of the repository.
		cmd.Dir = work
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		start := time.Now()
		runErr := cmd.Run()
		cancel()

		var statuses []int
		var requests, other []string
		sc := bufio.NewScanner(&stderr)
		for sc.Scan() {
			l := sc.Text()
			rest, ok := strings.CutPrefix(l, readmeStatusMark)
			if !ok {
				if strings.TrimSpace(l) != "" {
					other = append(other, l)
				}
				continue
			}
			code, _, _ := strings.Cut(rest, " ")
			n, _ := strconv.Atoi(code)
			statuses = append(statuses, n)
			requests = append(requests, rest)
		}
		detail := func() string {
			return fmt.Sprintf("\nrequests (status method URL):\n  %s\nstderr:\n  %s\nstdout:\n%s",
				orNone(requests), orNone(other), truncate(stdout.String(), 2000))
		}
		if runErr != nil {
			t.Errorf("%s: the block failed: %v%s", name, runErr, detail())
			continue
		}
		if len(statuses) == 0 {
			t.Errorf("%s: the block made no request%s", name, detail())
			continue
		}
		ok := true
		for i, s := range statuses {
			if (s < 200 || s > 299) && !slices.Contains(b.shown, s) {
				ok = false
				t.Errorf("%s: request %d got status %d; the README shows %v (2xx otherwise)%s", name, i+1, s, b.shown, detail())
			}
		}
		for _, s := range b.shown {
			if !slices.Contains(statuses, s) {
				ok = false
				t.Errorf("%s: the README shows status %d, the requests got %v%s", name, s, statuses, detail())
			}
		}
		if ok {
			t.Logf("%s: %d request(s), statuses %v, %v", name, len(statuses), statuses, time.Since(start).Round(time.Millisecond))
		}
	}
	t.Logf("ran %d of %d curl blocks", ran, len(blocks))
	if t.Failed() {
		t.Logf("service log:\n%s", truncate(out.String(), 4000))
	}
}

// TestREADMEHelperProcess is `go run . ARGS` for TestREADMECurlBlocks: the
// test binary runs itself with -test.run selecting this test, the
// environment README_TEST_HELPER=1 and ARGS after "--".
func TestREADMEHelperProcess(t *testing.T) {
	if os.Getenv("README_TEST_HELPER") != "1" {
		return
	}
	i := slices.Index(os.Args, "--")
	if i < 0 {
		fmt.Fprintln(os.Stderr, "readme test helper: no -- before the arguments")
		os.Exit(2)
	}
	args := os.Args[i+1:]
	err := run(context.Background(), append([]string{"alcarbon"}, args...), os.Getenv, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "alcarbon:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

func orNone(lines []string) string {
	if len(lines) == 0 {
		return "(none)"
	}
	return strings.Join(lines, "\n  ")
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
