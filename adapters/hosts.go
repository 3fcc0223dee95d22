package adapters

import "net"

// IsLoopback reports whether host (a name or an IP, without port) is this
// machine. Adapters allow plain http only there: to simulators and test
// peers, never across a network.
func IsLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
