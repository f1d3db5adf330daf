// Command rolegate is the operator's tool for rolegate policies: it lints
// them, decides single requests, and renders the page x role matrix.
//
//	rolegate lint POLICY...
//	rolegate check POLICY [--role R]... METHOD PATH
//	rolegate matrix POLICY [--format csv|markdown]
package main

import (
	"fmt"
	"io"
	"os"
)

// Exit codes. check uses exitDeny for a denied request, so scripts can
// branch on the decision.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
	exitDeny  = 3
)

const usage = `usage:
  rolegate lint POLICY...                            load, compile and run each policy's own tests
  rolegate check POLICY [--role R]... [--attr key=value]... [--feature F]... METHOD PATH
                                                     decide one request (exit 0 allow, 3 deny, 1 error)
  rolegate matrix POLICY [--format csv|markdown]     print the page x role table
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the whole CLI, separated from main so tests can call it.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	cmds := map[string]func([]string, io.Writer, io.Writer) int{
		"lint":   lint,
		"check":  check,
		"matrix": matrix,
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		if args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
			fmt.Fprint(stdout, usage)
			return exitOK
		}
		fmt.Fprintf(stderr, "rolegate: unknown command %q\n%s", args[0], usage)
		return exitUsage
	}
	return cmd(args[1:], stdout, stderr)
}
