// Package kdc runs a real MIT Kerberos KDC (Debian's krb5-kdc and
// krb5-admin-server) on loopback, for tests: a realm of its own in a
// temporary directory, its own krb5.conf (KRB5_CONFIG) and kdc.conf
// (KRB5_KDC_PROFILE), an unprivileged port, principals added with
// kadmin.local and service keytabs exported from it. Nothing outside the
// directory is read or changed, so the machine's /etc/krb5.conf and any
// installed KDC service are left alone.
//
// Passwords reach the MIT tools on stdin, never on a command line.
package kdc

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Binaries are the MIT programs the KDC needs; `make krb5` installs them.
var Binaries = []string{"krb5kdc", "kdb5_util", "kadmin.local", "kinit"}

// ErrNotInstalled means an MIT Kerberos program is missing.
var ErrNotInstalled = errors.New("MIT Kerberos is not installed (make krb5 installs krb5-kdc, krb5-admin-server and krb5-user)")

// lookPath finds an MIT program on PATH or in the sbin directories, which
// are not on every user's PATH.
func lookPath(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	for _, dir := range []string{"/usr/sbin", "/sbin", "/usr/local/sbin"} {
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s: %w", name, ErrNotInstalled)
}

// Installed reports whether every program in Binaries is present.
func Installed() error {
	for _, b := range Binaries {
		if _, err := lookPath(b); err != nil {
			return err
		}
	}
	return nil
}

// KDC is one running KDC and its realm.
type KDC struct {
	// Realm is the realm's name, upper case.
	Realm string
	// Addr is where the KDC listens, TCP and UDP, as host:port.
	Addr string
	// ConfigPath is the krb5.conf that clients of the realm use.
	ConfigPath string

	dir  string
	env  []string
	cmd  *exec.Cmd
	done chan struct{}

	stopOnce sync.Once
}

// Start creates the realm's database under dir and starts krb5kdc on a free
// loopback port. Stop (or ctx ending) ends it.
func Start(ctx context.Context, dir, realm string) (*KDC, error) {
	if err := Installed(); err != nil {
		return nil, err
	}
	var lastErr error
	// The port is picked free and then handed to krb5kdc, which another
	// process could take in between; a few tries make that harmless.
	for range 3 {
		k, err := start(ctx, dir, realm)
		if err == nil {
			return k, nil
		}
		lastErr = err
		if ctx.Err() != nil {
			break
		}
	}
	return nil, lastErr
}

func start(ctx context.Context, dir, realm string) (*KDC, error) {
	dir, err := os.MkdirTemp(dir, "realm-")
	if err != nil {
		return nil, fmt.Errorf("kdc: realm directory: %w", err)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	k := &KDC{
		Realm:      strings.ToUpper(realm),
		Addr:       net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		ConfigPath: filepath.Join(dir, "krb5.conf"),
		dir:        dir,
		done:       make(chan struct{}),
	}
	kdcConf := filepath.Join(dir, "kdc.conf")
	k.env = append(os.Environ(), "KRB5_CONFIG="+k.ConfigPath, "KRB5_KDC_PROFILE="+kdcConf,
		"KRB5CCNAME=FILE:"+filepath.Join(dir, "ccache"), "KRB5_TRACE=/dev/null")
	if err := os.WriteFile(k.ConfigPath, []byte(k.ClientConfig()), 0o644); err != nil {
		return nil, fmt.Errorf("kdc: write krb5.conf: %w", err)
	}
	if err := os.WriteFile(kdcConf, []byte(k.kdcConfig()), 0o600); err != nil {
		return nil, fmt.Errorf("kdc: write kdc.conf: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "kadm5.acl"), nil, 0o600); err != nil {
		return nil, fmt.Errorf("kdc: write kadm5.acl: %w", err)
	}
	// The master key protects a throwaway database; it is random and goes
	// to kdb5_util on stdin, twice, as its prompt asks.
	master := randomText()
	if err := k.run(ctx, master+"\n"+master+"\n", "kdb5_util", "create", "-s", "-r", k.Realm); err != nil {
		return nil, fmt.Errorf("kdc: create realm %s: %w", k.Realm, err)
	}
	bin, err := lookPath("krb5kdc")
	if err != nil {
		return nil, err
	}
	// -n keeps krb5kdc in the foreground, so it is this process's child and
	// ends with it.
	k.cmd = exec.Command(bin, "-n", "-r", k.Realm)
	k.cmd.Env = k.env
	k.cmd.Dir = dir
	var out bytes.Buffer
	k.cmd.Stdout, k.cmd.Stderr = &out, &out
	if err := k.cmd.Start(); err != nil {
		return nil, fmt.Errorf("kdc: start krb5kdc: %w", err)
	}
	go func() {
		_ = k.cmd.Wait()
		close(k.done)
	}()
	context.AfterFunc(ctx, func() { _ = k.Stop() })
	if err := k.waitReady(ctx, 15*time.Second); err != nil {
		_ = k.Stop()
		return nil, fmt.Errorf("kdc: krb5kdc on %s: %w; output: %s; log: %s", k.Addr, err,
			strings.TrimSpace(out.String()), k.logTail())
	}
	return k, nil
}

// ClientConfig is the krb5.conf of the realm: its one KDC, no DNS, and TCP
// only (udp_preference_limit = 1), so every exchange is on one port.
func (k *KDC) ClientConfig() string {
	return fmt.Sprintf(`[libdefaults]
 default_realm = %[1]s
 dns_lookup_realm = false
 dns_lookup_kdc = false
 udp_preference_limit = 1
 rdns = false

[realms]
 %[1]s = {
  kdc = %[2]s
 }
`, k.Realm, k.Addr)
}

func (k *KDC) kdcConfig() string {
	return fmt.Sprintf(`[kdcdefaults]
 kdc_listen = %[2]s
 kdc_tcp_listen = %[2]s

[realms]
 %[1]s = {
  database_name = %[3]s/principal
  key_stash_file = %[3]s/stash
  acl_file = %[3]s/kadm5.acl
  admin_keytab = FILE:%[3]s/kadm5.keytab
  max_life = 10h 0m 0s
 }

[logging]
 kdc = FILE:%[3]s/kdc.log
 admin_server = FILE:%[3]s/kadmin.log
 default = FILE:%[3]s/krb5lib.log
`, k.Realm, k.Addr, k.dir)
}

// AddUser adds a user principal with a password.
func (k *KDC) AddUser(ctx context.Context, name, password string) error {
	if strings.ContainsAny(password, "\n\r\"") {
		return errors.New("kdc: kadmin.local cannot take a password with a line break or a double quote")
	}
	// kadmin.local reads its commands from stdin; the password stays off
	// the command line. requires_preauth is what Active Directory demands.
	return k.kadmin(ctx, fmt.Sprintf("addprinc +requires_preauth -pw %s %s", quote(password), quote(name)))
}

// AddService adds a service principal (such as HTTP/host) with a random
// key and returns a keytab holding its keys, the file a Windows host gets
// from ktpass or its domain join.
func (k *KDC) AddService(ctx context.Context, spn string) ([]byte, error) {
	kt := filepath.Join(k.dir, "svc-"+strconv.FormatInt(time.Now().UnixNano(), 36)+".keytab")
	if err := k.kadmin(ctx, "addprinc -randkey "+quote(spn)+"\nktadd -k "+quote(kt)+" "+quote(spn)); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(kt)
	if err != nil {
		return nil, fmt.Errorf("kdc: read keytab of %s: %w", spn, err)
	}
	return b, nil
}

// Kinit logs user on with password and writes the credential cache to
// ccache (a file path), as kinit does for a user before terraform runs.
func (k *KDC) Kinit(ctx context.Context, user, password, ccache string) error {
	return k.run(ctx, password+"\n", "kinit", "-c", "FILE:"+ccache, user)
}

// kadmin runs kadmin.local queries, one a line, and fails when any of them
// reports an error: kadmin.local itself exits 0 either way.
func (k *KDC) kadmin(ctx context.Context, queries string) error {
	bin, err := lookPath("kadmin.local")
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, bin, "-r", k.Realm)
	cmd.Env, cmd.Dir = k.env, k.dir
	cmd.Stdin = strings.NewReader(queries + "\n")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("kadmin.local: %w: %s", err, firstLine(out))
	}
	// Each query is echoed after the prompt ("kadmin.local:  addprinc
	// ..."); errors are com_err lines ("add_principal: ... while
	// creating ...", "kadmin.local: Unknown request ...").
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, "kadmin.local:  ") {
			continue
		}
		if strings.Contains(line, " while ") || strings.Contains(line, "Unknown request") || strings.Contains(line, "usage:") {
			return fmt.Errorf("kadmin.local: %s", strings.TrimSpace(line))
		}
	}
	return nil
}

func (k *KDC) run(ctx context.Context, stdin, name string, args ...string) error {
	bin, err := lookPath(name)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env, cmd.Dir = k.env, k.dir
	cmd.Stdin = strings.NewReader(stdin)
	if out, err := cmd.CombinedOutput(); err != nil {
		// The output holds prompts and errors, never what was typed.
		return fmt.Errorf("%s: %w: %s", name, err, strings.TrimSpace(string(out)))
	}
	return nil
}

func (k *KDC) waitReady(ctx context.Context, within time.Duration) error {
	deadline := time.Now().Add(within)
	for {
		select {
		case <-k.done:
			return errors.New("exited at start")
		default:
		}
		c, err := net.DialTimeout("tcp", k.Addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not listening after %s", within)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Stop ends krb5kdc; clients then find the realm's KDC unreachable.
func (k *KDC) Stop() error {
	k.stopOnce.Do(func() {
		if k.cmd != nil && k.cmd.Process != nil {
			_ = k.cmd.Process.Kill()
			<-k.done
		}
	})
	return nil
}

func (k *KDC) logTail() string {
	b, _ := os.ReadFile(filepath.Join(k.dir, "kdc.log"))
	s := strings.TrimSpace(string(b))
	if len(s) > 2000 {
		s = s[len(s)-2000:]
	}
	return s
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("kdc: find a free port: %w", err)
	}
	defer ln.Close()
	addr, ok := ln.Addr().(*net.TCPAddr)
	if !ok {
		return 0, fmt.Errorf("kdc: listener address %T", ln.Addr())
	}
	return addr.Port, nil
}

// quote makes one kadmin.local argument: its parser splits on blanks and
// takes double quotes around an argument with blanks, and has no escape
// for a double quote inside one.
func quote(s string) string {
	if !strings.ContainsAny(s, " \t\"") {
		return s
	}
	return `"` + s + `"`
}

func firstLine(b []byte) string {
	s, _, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
	return s
}

func randomText() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on Linux
	return hex.EncodeToString(b)
}
