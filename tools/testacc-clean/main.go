// Command testacc-clean removes what `make testacc-windows` leaves on a real
// Windows host when a run is interrupted before its destroy steps: the
// firewall rules, local users, sites, applications and application pools
// whose names start with tfacc-. It connects as the acceptance tests do, from the same IIS_ACC_*
// variables. Run it as `make testacc-windows-clean`.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"time"

	"github.com/iisguard/terraform-provider-iis/internal/acchost"
	"github.com/iisguard/terraform-provider-iis/internal/remote"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "testacc-clean:", err)
		os.Exit(1)
	}
}

func run() error {
	cfg, err := configFromEnv()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	pool := remote.NewPool(nil)
	defer pool.Close()
	admin, err := acchost.New(pool, cfg)
	if err != nil {
		return err
	}
	fmt.Printf("removing from %s: %s\n", cfg.Host, acchost.Describe())
	removed, err := admin.Cleanup(ctx)
	for _, r := range removed {
		fmt.Println("removed", r)
	}
	if len(removed) == 0 && err == nil {
		fmt.Println("nothing to remove")
	}
	return err
}

// configFromEnv reads the variables internal/provider/acctest_test.go reads.
func configFromEnv() (remote.Config, error) {
	cfg := remote.Config{
		Host:     os.Getenv("IIS_ACC_HOST"),
		Auth:     remote.Auth(envOr("IIS_ACC_AUTH", "ntlm")),
		Username: os.Getenv("IIS_ACC_USERNAME"),
		Password: os.Getenv("IIS_ACC_PASSWORD"),
		HTTPS:    envOr("IIS_ACC_HTTPS", "true") == "true",
		Insecure: os.Getenv("IIS_ACC_INSECURE") == "true",
	}
	if cfg.Host == "" || cfg.Username == "" || cfg.Password == "" {
		return cfg, fmt.Errorf("set IIS_ACC_HOST, IIS_ACC_USERNAME and IIS_ACC_PASSWORD to the host the acceptance tests ran against")
	}
	if p := os.Getenv("IIS_ACC_PORT"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil {
			return cfg, fmt.Errorf("IIS_ACC_PORT=%q is not a port", p)
		}
		cfg.Port = n
	}
	if path := os.Getenv("IIS_ACC_CA_CERT"); path != "" {
		pem, err := os.ReadFile(path)
		if err != nil {
			return cfg, fmt.Errorf("IIS_ACC_CA_CERT: %w", err)
		}
		cfg.CACert = pem
	}
	return cfg, nil
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
