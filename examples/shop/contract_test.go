package main

import (
	"strings"
	"testing"
	"time"

	"github.com/twelvekit/twelvekit/processtest"
)

// TestWebContract checks the web process with the process kit: port,
// probes, a rolling stop under a load of orders behind a tight balancer
// model, JSON logs and no files in its working directory, three bad
// variables rejected with 78 before binding, a second signal. Every order
// the load got a 2xx for is stored.
func TestWebContract(t *testing.T) {
	t.Parallel()
	db := sqliteDatabase(t)
	db.migrate(t)
	bin := processtest.Binary{Path: shopBin, Args: []string{"web"}, Env: map[string]string{
		"DATABASE_URL": db.url, "DRAIN_DELAY": "2s", "SHUTDOWN_TIMEOUT": "10s",
	}}
	rep := processtest.Run(t, bin,
		processtest.WithBalancer(time.Second, 1),
		processtest.WithLoad("POST", "/orders", `{"sku":"KIT-1","quantity":1}`),
		processtest.WithChecks(processtest.CheckRollingStop, processtest.CheckLogs, processtest.CheckConfigErrors, processtest.CheckSecondSignal),
		processtest.WithBadConfig("PORT", "abc"),
		processtest.WithBadConfig("LOG_LEVEL", "loud"),
		processtest.WithBadConfig("DATABASE_URL", "postgres://%zz"))
	res, _ := rep.Result(processtest.CheckRollingStop)
	var orders int64
	if err := db.open(t).db.QueryRow(`SELECT COUNT(*) FROM orders`).Scan(&orders); err != nil {
		t.Fatal(err)
	}
	if ok := int64(res.Figures["ok"]); orders < ok || ok == 0 {
		t.Errorf("%d orders stored, %d answered 2xx under load: want every one stored", orders, ok)
	}
}

// TestWebContract_secrets gives the web process a canary password in
// DATABASE_URL (PostgreSQL on 127.0.0.1:5432 with trust authentication, so
// the password is sent but not needed) and a canary API_KEY: neither may
// appear in its output, its responses, or the output of `shop config`. The
// load authenticates with the canary API key, so the orders are accepted.
func TestWebContract_secrets(t *testing.T) {
	t.Parallel()
	db := postgresDatabase(t)
	db.migrate(t)
	bin := processtest.Binary{Path: shopBin, Args: []string{"web"}, Env: map[string]string{
		"DRAIN_DELAY": "0s", "LOG_LEVEL": "debug",
	}}
	processtest.Run(t, bin,
		processtest.WithSecret("DATABASE_URL", strings.Replace(db.url, "@", ":"+processtest.CanaryPlaceholder+"@", 1)),
		processtest.WithSecret("API_KEY", ""),
		processtest.WithConfigCommand("config"),
		processtest.WithLoad("POST", "/orders", `{"sku":"KIT-2","quantity":1}`),
		processtest.WithLoadHeader("Authorization", "Bearer ${API_KEY}"),
		processtest.WithChecks(processtest.CheckSecrets, processtest.CheckLogs))
}
