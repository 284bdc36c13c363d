package winsim

import (
	"context"
	"encoding/base64"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/iisguard/terraform-provider-iis/internal/winsim/proc"
)

// request is one authenticated SOAP request being served.
type request struct {
	ctx   context.Context
	env   *envelope
	user  string
	ip    string
	shell *shell // the shell it names, once found
}

// dispatch runs the action and returns the reply body, or a *wsmanFault.
func (s *Server) dispatch(ctx context.Context, env *envelope, user, ip string) ([]byte, error) {
	q := &request{ctx: ctx, env: env, user: user, ip: ip}
	defer func() {
		if q.shell != nil {
			q.shell.end(time.Now())
		}
	}()
	if env.OpTimeout != "" {
		if _, err := parseDuration(env.OpTimeout); err != nil {
			return nil, faultInvalidTimeout(env.OpTimeout)
		}
	}
	switch env.Action {
	case actCreate:
		return s.create(q)
	case actDelete:
		return s.deleteShell(q)
	case actCommand:
		return s.command(q)
	case actSend:
		return s.send(q)
	case actReceive:
		return s.receive(q)
	case actSignal:
		return s.signal(q)
	case actGet:
		if !strings.EqualFold(env.ResourceURI, uriConfig) {
			return nil, faultBadResourceURI(env.ResourceURI)
		}
		return s.getConfig(env), nil
	}
	return nil, faultActionNotSupported(env.Action)
}

// shellOf finds the shell a request's ShellId selector names. A shell is
// visible to the account that created it only.
func (s *Server) shellOf(q *request) (*shell, error) {
	if !strings.EqualFold(q.env.ResourceURI, uriCmdShell) {
		return nil, faultBadResourceURI(q.env.ResourceURI)
	}
	id := q.env.Selectors["ShellId"]
	sh, ok := s.shells.get(id)
	if !ok || sh.owner != q.user {
		return nil, faultUnknownShell(id)
	}
	sh.begin()
	q.shell = sh
	return sh, nil
}

func (s *Server) create(q *request) ([]byte, error) {
	if !strings.EqualFold(q.env.ResourceURI, uriCmdShell) {
		return nil, faultBadResourceURI(q.env.ResourceURI)
	}
	body := q.env.BodyFirstElem
	if !body.is(nsShell, "Shell") {
		return nil, faultInvalidParameter()
	}
	sh := &shell{
		id:       newGUID(),
		owner:    q.user,
		clientIP: q.ip,
		created:  time.Now(),
		idle:     2 * time.Hour,
		inputs:   "stdin",
		outputs:  "stdout stderr",
		workDir:  body.child(nsShell, "WorkingDirectory").text(),
		commands: map[string]*command{},
	}
	if v := body.child(nsShell, "InputStreams").text(); v != "" {
		sh.inputs = v
	}
	if v := body.child(nsShell, "OutputStreams").text(); v != "" {
		sh.outputs = v
	}
	if v := body.child(nsShell, "IdleTimeOut").text(); v != "" {
		d, err := parseDuration(v)
		if err != nil {
			return nil, faultInvalidParameter()
		}
		sh.idle = d
	}
	for _, v := range body.child(nsShell, "Environment").children(nsShell, "Variable") {
		name, _ := v.attr("Name")
		sh.env = append(sh.env, envVar{name: name, value: v.Text})
	}
	if err := s.opts.Latency.CPUs.Run(q.ctx, s.opts.Latency.ShellCreate); err != nil {
		return nil, err
	}
	sh.ctx, sh.cancel = context.WithCancel(s.ctx)
	sh.lastUsed = time.Now()
	if err := s.shells.add(sh, s.opts.MaxShellsPerUser); err != nil {
		sh.cancel()
		return nil, err
	}
	s.stats.add(func(st *Stats) { st.Shells++ })

	address := q.env.To
	if address == "" {
		address = s.URL()
	}
	return replyEnvelope(nsXfer+"/CreateResponse", q.env.MessageID, func(w *xmlWriter) {
		w.start("x:ResourceCreated")
		w.elem("a:Address", address)
		w.start("a:ReferenceParameters")
		w.elem("w:ResourceURI", uriCmdShell)
		w.start("w:SelectorSet")
		w.elem("w:Selector", sh.id, "Name", "ShellId")
		w.end("w:SelectorSet")
		w.end("a:ReferenceParameters")
		w.end("x:ResourceCreated")
		// Real hosts send both the selector and rsp:Shell/rsp:ShellId, and
		// clients differ in which one they read.
		w.start("rsp:Shell", "xmlns:rsp", nsShell)
		w.elem("rsp:ShellId", sh.id)
		w.elem("rsp:ResourceUri", uriCmdShell)
		w.elem("rsp:Owner", sh.owner)
		w.elem("rsp:ClientIP", sh.clientIP)
		if len(sh.env) > 0 {
			w.start("rsp:Environment")
			for _, v := range sh.env {
				// Windows drops backslashes from the names it echoes (the
				// process environment keeps them; test_winrs_environment.yml).
				w.elem("rsp:Variable", v.value, "Name", strings.ReplaceAll(v.name, `\`, ""))
			}
			w.end("rsp:Environment")
		}
		if sh.workDir != "" {
			w.elem("rsp:WorkingDirectory", sh.workDir)
		}
		w.elem("rsp:IdleTimeOut", formatDuration(sh.idle))
		w.elem("rsp:InputStreams", sh.inputs)
		w.elem("rsp:OutputStreams", sh.outputs)
		w.elem("rsp:ShellRunTime", "P0DT0H0M0S")
		w.elem("rsp:ShellInactivity", "P0DT0H0M0S")
		w.end("rsp:Shell")
	}), nil
}

func (s *Server) deleteShell(q *request) ([]byte, error) {
	sh, err := s.shellOf(q)
	if err != nil {
		return nil, err
	}
	s.shells.remove(sh.id)
	sh.close()
	return replyEnvelope(nsXfer+"/DeleteResponse", q.env.MessageID, nil), nil
}

// maxCommandLine is CreateProcess' limit in UTF-16 code units.
const maxCommandLine = 32767

func (s *Server) command(q *request) ([]byte, error) {
	sh, err := s.shellOf(q)
	if err != nil {
		return nil, err
	}
	cl := q.env.BodyFirstElem
	if !cl.is(nsShell, "CommandLine") {
		return nil, faultInvalidParameter()
	}
	pc := proc.Command{
		ShellID:      sh.id,
		Command:      cl.child(nsShell, "Command").Text,
		SkipCmdShell: q.env.optionTrue("WINRS_SKIP_CMD_SHELL"),
	}
	for _, a := range cl.children(nsShell, "Arguments") {
		pc.Args = append(pc.Args, a.Text)
	}
	if len(utf16.Encode([]rune(commandLine(pc)))) > maxCommandLine {
		return nil, faultCommandLineTooLong()
	}
	runner := s.opts.Runner
	if pc.SkipCmdShell && (runner == nil || !isAbsoluteWindowsPath(pc.Command)) {
		// No cmd.exe to search PATH: CreateProcess gets the name as is.
		return nil, faultFileNotFound()
	}
	if runner == nil {
		runner = unknownProgram{}
	}
	id, ok := cl.attr("CommandId")
	if !ok || id == "" {
		id = newGUID()
	}
	c, err := sh.startCommand(strings.ToUpper(id), pc, runner, &s.runners, s.opts.Logf)
	if err != nil {
		return nil, err
	}
	s.stats.add(func(st *Stats) { st.Commands++ })
	s.opts.Logf("winsim: shell %s: command %s started (%d bytes of command line)", sh.id, c.id, len(commandLine(pc)))
	return replyEnvelope(nsShell+"/CommandResponse", q.env.MessageID, func(w *xmlWriter) {
		w.start("rsp:CommandResponse")
		w.elem("rsp:CommandId", id)
		w.end("rsp:CommandResponse")
	}), nil
}

func (s *Server) send(q *request) ([]byte, error) {
	sh, err := s.shellOf(q)
	if err != nil {
		return nil, err
	}
	body := q.env.BodyFirstElem
	if !body.is(nsShell, "Send") {
		return nil, faultInvalidParameter()
	}
	for _, st := range body.children(nsShell, "Stream") {
		id, _ := st.attr("CommandId")
		c, ok := sh.command(id)
		if !ok {
			return nil, faultUnknownCommand()
		}
		if name, _ := st.attr("Name"); !hasWord(sh.inputs, name) {
			return nil, faultInvalidParameter()
		}
		data, err := base64.StdEncoding.DecodeString(st.text())
		if err != nil {
			return nil, faultInvalidParameter()
		}
		end, _ := st.attr("End")
		c.stdin.send(data, strings.EqualFold(end, "true"))
	}
	return replyEnvelope(nsShell+"/SendResponse", q.env.MessageID, func(w *xmlWriter) {
		w.empty("rsp:SendResponse")
	}), nil
}

func (s *Server) signal(q *request) ([]byte, error) {
	sh, err := s.shellOf(q)
	if err != nil {
		return nil, err
	}
	sig := q.env.BodyFirstElem
	if !sig.is(nsShell, "Signal") {
		return nil, faultInvalidParameter()
	}
	id, ok := sig.attr("CommandId")
	if !ok {
		return nil, faultInvalidParameter()
	}
	c, ok := sh.command(id)
	if !ok {
		return nil, faultUnknownCommand()
	}
	switch code := sig.child(nsShell, "Code").text(); code {
	case nsShell + "/signal/terminate":
		c.cancel()
		sh.forget(c.id)
	case nsShell + "/signal/ctrl_c", nsShell + "/signal/ctrl_break":
		c.cancel()
		c.mu.Lock()
		delivered := c.delivered
		c.mu.Unlock()
		if delivered {
			sh.forget(c.id)
		}
	default:
		return nil, faultInvalidParameter()
	}
	return replyEnvelope(nsShell+"/SignalResponse", q.env.MessageID, func(w *xmlWriter) {
		w.empty("rsp:SignalResponse")
	}), nil
}

// receive long-polls for output: it returns as soon as there is some, or
// the process has exited and everything is drained, or answers w:TimedOut
// when OperationTimeout passes first.
func (s *Server) receive(q *request) ([]byte, error) {
	sh, err := s.shellOf(q)
	if err != nil {
		return nil, err
	}
	rcv := q.env.BodyFirstElem
	ds := rcv.child(nsShell, "DesiredStream")
	if !rcv.is(nsShell, "Receive") || ds == nil {
		return nil, faultInvalidParameter()
	}
	id, ok := ds.attr("CommandId")
	if !ok {
		// Shell-level Receive is a PSRP feature the cmd plugin refuses.
		return nil, faultInvalidParameter()
	}
	c, ok := sh.command(id)
	if !ok {
		return nil, faultUnknownCommand()
	}
	c.mu.Lock()
	delivered := c.delivered
	c.mu.Unlock()
	if delivered {
		return nil, faultUnknownCommand()
	}
	streams := strings.Fields(ds.text())
	if len(streams) == 0 {
		streams = strings.Fields(sh.outputs)
	}
	want := map[string]bool{}
	for _, st := range streams {
		want[st] = true
	}
	timeout := 60 * time.Second
	if q.env.OpTimeout != "" {
		timeout, _ = parseDuration(q.env.OpTimeout) // validated in dispatch
	}
	budget := q.env.MaxEnvelope
	if budget <= 0 {
		budget = 153600
	}
	budget -= 2048 // envelope, header and CommandState around the streams

	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		chunks, done, code, wait := c.out.take(want, budget)
		if len(chunks) > 0 || done {
			if done {
				c.mu.Lock()
				c.delivered = true
				c.mu.Unlock()
			}
			return receiveResponse(q.env.MessageID, c.id, chunks, streams, done, code), nil
		}
		select {
		case <-wait:
		case <-timer.C:
			return nil, faultTimedOut()
		case <-q.ctx.Done():
			return nil, q.ctx.Err()
		}
	}
}

func receiveResponse(relatesTo, id string, chunks []chunk, streams []string, done bool, code int) []byte {
	return replyEnvelope(nsShell+"/ReceiveResponse", relatesTo, func(w *xmlWriter) {
		w.start("rsp:ReceiveResponse")
		for _, c := range chunks {
			w.elem("rsp:Stream", base64.StdEncoding.EncodeToString(c.data), "Name", c.stream, "CommandId", id)
		}
		if !done {
			w.elem("rsp:CommandState", "", "CommandId", id, "State", stateRunning)
			w.end("rsp:ReceiveResponse")
			return
		}
		for _, st := range streams {
			w.elem("rsp:Stream", "", "Name", st, "CommandId", id, "End", "true")
		}
		w.start("rsp:CommandState", "CommandId", id, "State", stateDone)
		// Windows exit codes are DWORDs: -1 is 4294967295 on the wire.
		w.elem("rsp:ExitCode", strconv.FormatUint(uint64(uint32(code)), 10))
		w.end("rsp:CommandState")
		w.end("rsp:ReceiveResponse")
	})
}

func hasWord(list, word string) bool {
	for _, f := range strings.Fields(list) {
		if f == word {
			return true
		}
	}
	return false
}
