package sfsim

import (
	"crypto/rand"
	"crypto/rsa"
	"sync"
)

// testKey is the package's one global: generating a 2048-bit key takes long
// enough (seconds under the race detector) that every test sharing one matters.
var testKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic("sfsim: generate test key: " + err.Error())
	}
	return k
})

// NewTestKey returns an RSA key pair for the JWT bearer flow in tests: sign
// assertions with it and give Options.PublicKey its public half. It is generated
// once per process; every call returns the same key.
func NewTestKey() *rsa.PrivateKey { return testKey() }
