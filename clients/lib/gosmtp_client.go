// Go net/smtp through badsmtp. With --tls default it calls smtp.SendMail, as most programs do
// (SendMail says EHLO localhost and upgrades to STARTTLS whenever it is offered, checking the
// certificate); every other mode drives smtp.Client itself, which is how one sets the EHLO name
// and the TLS policy: Dial, Hello, StartTLS, Auth, Mail, Rcpt, Data, Quit.
// net/smtp has PLAIN and CRAM-MD5; LOGIN and XOAUTH2 are the few lines of smtp.Auth below.
// Arguments and output: clients/lib/common.py.
package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/smtp"
	"net/textproto"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

type list []string

func (l *list) String() string     { return fmt.Sprint(*l) }
func (l *list) Set(v string) error { *l = append(*l, v); return nil }

type recipient struct {
	Address  string  `json:"address"`
	Accepted bool    `json:"accepted"`
	Code     *int    `json:"code"`
	Message  *string `json:"message"`
}

type failure struct {
	Class    string  `json:"class"`
	Message  string  `json:"message"`
	Code     *int    `json:"code"`
	Enhanced *string `json:"enhanced"`
}

type result struct {
	Library    string      `json:"library"`
	Version    string      `json:"version"`
	Outcome    string      `json:"outcome"`
	Error      *failure    `json:"error"`
	Recipients []recipient `json:"recipients"`
}

// loginAuth: AUTH LOGIN, answering the 334 "Username:" and "Password:" challenges.
type loginAuth struct{ user, pass string }

func (a loginAuth) Start(*smtp.ServerInfo) (string, []byte, error) { return "LOGIN", nil, nil }
func (a loginAuth) Next(challenge []byte, more bool) ([]byte, error) {
	if !more {
		return nil, nil
	}
	if strings.HasPrefix(strings.ToLower(string(challenge)), "user") {
		return []byte(a.user), nil
	}
	return []byte(a.pass), nil
}

// xoauth2Auth: the initial response; an error challenge gets the empty answer (SPEC §5).
type xoauth2Auth struct{ user, token string }

func (a xoauth2Auth) Start(*smtp.ServerInfo) (string, []byte, error) {
	return "XOAUTH2", []byte("user=" + a.user + "\x01auth=Bearer " + a.token + "\x01\x01"), nil
}
func (a xoauth2Auth) Next(_ []byte, more bool) ([]byte, error) {
	if !more {
		return nil, nil
	}
	return []byte{}, nil
}

func emit(r result) {
	r.Library, r.Version = "gosmtp", runtime.Version()
	b, _ := json.Marshal(r)
	os.Stdout.Write(append(b, '\n'))
}

func fail(err error) *failure {
	f := &failure{Class: fmt.Sprintf("%T", err), Message: err.Error()}
	var tp *textproto.Error
	if errors.As(err, &tp) {
		f.Code = &tp.Code
	}
	return f
}

func main() {
	var to list
	host := flag.String("host", "", "")
	port := flag.Int("port", 0, "")
	ehlo := flag.String("ehlo", "", "")
	from := flag.String("from", "", "")
	flag.Var(&to, "to", "")
	message := flag.String("message", "", "")
	mech := flag.String("auth", "none", "")
	user := flag.String("user", "", "")
	pass := flag.String("pass", "", "")
	mode := flag.String("tls", "none", "")
	ca := flag.String("ca", "", "")
	timeout := flag.Float64("timeout", 10, "")
	flag.Bool("pipeline", false, "net/smtp never pipelines")
	flag.Parse()

	msg, err := os.ReadFile(*message)
	if err != nil {
		panic(err)
	}
	addr := net.JoinHostPort(*host, strconv.Itoa(*port))
	var auth smtp.Auth
	switch *mech {
	case "PLAIN":
		auth = smtp.PlainAuth("", *user, *pass, *host)
	case "CRAM-MD5":
		auth = smtp.CRAMMD5Auth(*user, *pass)
	case "LOGIN":
		auth = loginAuth{*user, *pass}
	case "XOAUTH2":
		auth = xoauth2Auth{*user, *pass}
	}
	if *mode == "default" {
		if err := smtp.SendMail(addr, auth, *from, to, msg); err != nil {
			emit(result{Outcome: "error", Error: fail(err)})
			return
		}
		emit(result{Outcome: "sent"})
		return
	}

	cfg := &tls.Config{ServerName: *host}
	switch *mode {
	case "starttls-noverify", "implicit":
		cfg.InsecureSkipVerify = true
	case "starttls-ca", "implicit-ca":
		pem, err := os.ReadFile(*ca)
		if err != nil {
			panic(err)
		}
		cfg.RootCAs = x509.NewCertPool()
		cfg.RootCAs.AppendCertsFromPEM(pem)
	}
	d := time.Duration(*timeout * float64(time.Second))
	var conn net.Conn
	if strings.HasPrefix(*mode, "implicit") {
		conn, err = tls.DialWithDialer(&net.Dialer{Timeout: d}, "tcp", addr, cfg)
	} else {
		conn, err = net.DialTimeout("tcp", addr, d)
	}
	if err != nil {
		emit(result{Outcome: "error", Error: fail(err)})
		return
	}
	conn.SetDeadline(time.Now().Add(d))
	rcpts := []recipient{}
	err = send(conn, *ehlo, *mode, cfg, auth, *from, to, msg, &rcpts)
	if err != nil {
		emit(result{Outcome: "error", Error: fail(err), Recipients: rcpts})
		return
	}
	emit(result{Outcome: "sent", Recipients: rcpts})
}

// send is smtp.SendMail's sequence with the EHLO name and the TLS policy chosen by the caller.
func send(conn net.Conn, ehlo, mode string, cfg *tls.Config, auth smtp.Auth, from string,
	to []string, msg []byte, rcpts *[]recipient) error {
	c, err := smtp.NewClient(conn, cfg.ServerName)
	if err != nil {
		return err
	}
	defer c.Close()
	if err = c.Hello(ehlo); err != nil {
		return err
	}
	if strings.HasPrefix(mode, "starttls") {
		if err = c.StartTLS(cfg); err != nil {
			return err
		}
	}
	if auth != nil {
		if err = c.Auth(auth); err != nil {
			return err
		}
	}
	if err = c.Mail(from); err != nil {
		return err
	}
	for _, addr := range to {
		if err = c.Rcpt(addr); err != nil {
			r := recipient{Address: addr}
			var tp *textproto.Error
			if errors.As(err, &tp) {
				r.Code, r.Message = &tp.Code, &tp.Msg
			}
			*rcpts = append(*rcpts, r)
			return err
		}
		*rcpts = append(*rcpts, recipient{Address: addr, Accepted: true})
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err = w.Write(msg); err != nil {
		return err
	}
	if err = w.Close(); err != nil {
		return err
	}
	return c.Quit()
}
