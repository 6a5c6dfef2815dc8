// Command measure times programs that serve HTTP on $PORT: from exec to the
// port accepting a connection, and, once idle, from SIGTERM to exit. It runs
// the programs in turn, round after round, and prints the medians as a
// Markdown table with each program's ratio to the first one.
//
//	measure -runs 30 bin/bare bin/lifecycle bin/full
package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"time"
)

func main() {
	runs := flag.Int("runs", 30, "runs of each program")
	idle := flag.Duration("idle", 100*time.Millisecond, "time a program stays idle between accepting and SIGTERM")
	flag.Parse()
	progs := flag.Args()
	if len(progs) == 0 || *runs < 1 {
		fmt.Fprintln(os.Stderr, "usage: measure [-runs N] [-idle D] program...")
		os.Exit(64)
	}
	start := make([][]time.Duration, len(progs))
	stop := make([][]time.Duration, len(progs))
	for r := range *runs {
		// Rotate the order each round, so no program always runs right
		// after the same other one.
		for k := range progs {
			i := (r + k) % len(progs)
			p := progs[i]
			s, e, err := once(p, *idle)
			if err != nil {
				fmt.Fprintf(os.Stderr, "%s: %v\n", p, err)
				os.Exit(1)
			}
			start[i] = append(start[i], s)
			stop[i] = append(stop[i], e)
		}
	}
	fmt.Printf("| program | exec to accepting: median (p25-p75) | ratio | SIGTERM to exit: median (p25-p75) | ratio |\n")
	fmt.Printf("| --- | ---: | ---: | ---: | ---: |\n")
	s0, e0 := quantile(start[0], 0.5), quantile(stop[0], 0.5)
	for i, p := range progs {
		s, e := quantile(start[i], 0.5), quantile(stop[i], 0.5)
		fmt.Printf("| %s | %s (%s-%s) | %.2fx | %s (%s-%s) | %.2fx |\n", filepath.Base(p),
			ms(s), ms(quantile(start[i], 0.25)), ms(quantile(start[i], 0.75)), ratio(s, s0),
			ms(e), ms(quantile(stop[i], 0.25)), ms(quantile(stop[i], 0.75)), ratio(e, e0))
	}
	fmt.Printf("\n%d runs of each, interleaved in rotating order; idle %s before SIGTERM; times in ms.\n", *runs, *idle)
}

// once starts prog on a free loopback port, waits until the port accepts,
// lets it idle, sends SIGTERM and waits for the exit.
func once(prog string, idle time.Duration) (startup, exit time.Duration, err error) {
	port, err := freePort()
	if err != nil {
		return 0, 0, err
	}
	cmd := exec.Command(prog)
	cmd.Env = append(os.Environ(), "PORT="+strconv.Itoa(port), "DRAIN_DELAY=0s", "SHUTDOWN_TIMEOUT=25s")
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return 0, 0, err
	}
	defer devnull.Close()
	cmd.Stdout, cmd.Stderr = devnull, devnull
	addr := "127.0.0.1:" + strconv.Itoa(port)

	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	deadline := t0.Add(10 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			startup = time.Since(t0)
			conn.Close()
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			return 0, 0, fmt.Errorf("port never accepted: %w", err)
		}
		time.Sleep(50 * time.Microsecond) // poll without starving the program of CPU
	}
	time.Sleep(idle) // let the program go idle; part of the protocol, not timed
	t1 := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return 0, 0, err
	}
	err = cmd.Wait()
	exit = time.Since(t1)
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return 0, 0, fmt.Errorf("exited with %d after SIGTERM, want 0", ee.ExitCode())
	}
	return startup, exit, err
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// quantile returns the q-quantile of ds, interpolating between neighbours;
// q 0.5 is the median.
func quantile(ds []time.Duration, q float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	pos := q * float64(len(s)-1)
	lo := int(pos)
	if lo+1 >= len(s) {
		return s[lo]
	}
	frac := pos - float64(lo)
	return s[lo] + time.Duration(frac*float64(s[lo+1]-s[lo]))
}

func ratio(a, b time.Duration) float64 { return float64(a) / float64(b) }

func ms(d time.Duration) string { return fmt.Sprintf("%.2f", float64(d.Microseconds())/1000) }
