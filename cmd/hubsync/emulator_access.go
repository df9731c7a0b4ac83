package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"strings"
)

// checkListenAddr refuses an address other machines can reach unless
// allowRemote says that is meant: the emulator applies whatever it is sent
// over plain http, and an empty host (":8080") means every interface.
func checkListenAddr(addr string, allowRemote bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--addr %q: want HOST:PORT, such as 127.0.0.1:8080", addr)
	}
	if allowRemote || isLoopbackHost(host) {
		return nil
	}
	where := "address " + host + ", which is not on loopback"
	if host == "" || net.ParseIP(host).IsUnspecified() {
		where = "every network interface"
	}
	return fmt.Errorf("--addr %s listens on %s, so other machines could reach the emulator: use a loopback address such as 127.0.0.1%s, or pass --allow-remote if that is what you want",
		addr, where, addr[strings.LastIndex(addr, ":"):])
}

// isLoopbackHost reports whether host names this machine only: localhost
// or a loopback IP address. Other names are not resolved: one that points
// elsewhere tomorrow must not pass today.
func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// listenURL is the address the emulator really listens on, as --addr gives
// its host (0.0.0.0 for every interface), with the port it got: started,
// the URL the emulator returned, names a host to dial rather than the one
// bound.
func listenURL(addr, started string) string {
	host, _, err := net.SplitHostPort(addr)
	_, port, perr := net.SplitHostPort(strings.TrimPrefix(started, "http://"))
	if err != nil || perr != nil {
		return started
	}
	if host == "" {
		host = "0.0.0.0"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// generateToken makes the token an emulator accepts when none is given.
func generateToken() string {
	b := make([]byte, 16)
	rand.Read(b) // never fails (crypto/rand)
	return "emu-" + hex.EncodeToString(b)
}
