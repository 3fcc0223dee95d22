package audit

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ed25519"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"

	"github.com/atrium-dev/atrium/store"
)

// KeyStore keeps the per-person keys, wrapped.
type KeyStore interface {
	AuditKey(ctx context.Context, ref string, generate func() ([]byte, error)) ([]byte, error)
	EraseAuditKey(ctx context.Context, ref string) error
}

// Keys are the trail's keys: a secret from which the pseudonym and
// key-wrapping keys are derived, and the checkpoint signer.
type Keys struct {
	pseudonym []byte
	wrap      cipher.AEAD
	signer    ed25519.PrivateKey
	keyID     string

	mu     sync.Mutex
	people map[string]cipher.AEAD // unwrapped per-person keys in use
}

// NewKeys derives the trail's keys from secret (at least 32 bytes) and
// takes signer for checkpoints.
func NewKeys(secret []byte, signer ed25519.PrivateKey) (*Keys, error) {
	if len(secret) < 32 {
		return nil, errors.New("audit: the secret must have at least 32 bytes")
	}
	if len(signer) != ed25519.PrivateKeySize {
		return nil, errors.New("audit: the signing key is not an Ed25519 private key")
	}
	pk, err := hkdf.Key(sha256.New, secret, nil, "atrium audit pseudonyms", 32)
	if err != nil {
		return nil, err
	}
	wk, err := hkdf.Key(sha256.New, secret, nil, "atrium audit key wrapping", 32)
	if err != nil {
		return nil, err
	}
	wrap, err := newAEAD(wk)
	if err != nil {
		return nil, err
	}
	return &Keys{pseudonym: pk, wrap: wrap, signer: signer, keyID: KeyID(signer.Public().(ed25519.PublicKey)),
		people: map[string]cipher.AEAD{}}, nil
}

// KeyID names a checkpoint signing key: the start of its public key's hash.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// Public is the key that verifies the checkpoints.
func (k *Keys) Public() ed25519.PublicKey { return k.signer.Public().(ed25519.PublicKey) }

// Ref is the pseudonym of a subject in the trail: the same for every record
// of that person, and not the subject.
func (k *Keys) Ref(subject string) string {
	if subject == "" {
		return ""
	}
	m := hmac.New(sha256.New, k.pseudonym)
	m.Write([]byte(subject))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

func seal(a cipher.AEAD, plain, ad []byte) []byte {
	nonce := make([]byte, a.NonceSize(), a.NonceSize()+len(plain)+a.Overhead())
	rand.Read(nonce)
	return a.Seal(nonce, nonce, plain, ad)
}

func open(a cipher.AEAD, sealed, ad []byte) ([]byte, error) {
	if len(sealed) < a.NonceSize() {
		return nil, errors.New("audit: sealed value too short")
	}
	return a.Open(nil, sealed[:a.NonceSize()], sealed[a.NonceSize():], ad)
}

// person returns ref's key, making it when create is set; ErrErased when
// the key is gone.
func (k *Keys) person(ctx context.Context, st KeyStore, ref string, create bool) (cipher.AEAD, error) {
	k.mu.Lock()
	a, ok := k.people[ref]
	k.mu.Unlock()
	if ok {
		return a, nil
	}
	var generate func() ([]byte, error)
	if create {
		generate = func() ([]byte, error) {
			key := make([]byte, 32)
			rand.Read(key)
			return seal(k.wrap, key, []byte(ref)), nil
		}
	}
	wrapped, err := st.AuditKey(ctx, ref, generate)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrErased
	}
	if err != nil {
		return nil, err
	}
	key, err := open(k.wrap, wrapped, []byte(ref))
	if err != nil {
		return nil, fmt.Errorf("audit: the key of %s does not open with this secret: %w", ref, err)
	}
	if a, err = newAEAD(key); err != nil {
		return nil, err
	}
	k.mu.Lock()
	if len(k.people) > 10_000 {
		clear(k.people)
	}
	k.people[ref] = a
	k.mu.Unlock()
	return a, nil
}

// forget drops ref's key from memory, after it was erased.
func (k *Keys) forget(ref string) {
	k.mu.Lock()
	delete(k.people, ref)
	k.mu.Unlock()
}

// ErrErased is returned for what a person's erased key sealed.
var ErrErased = errors.New("audit: erased")
