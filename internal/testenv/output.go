package testenv

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// ModuleRoot returns the folder that holds go.mod, found by walking up from
// the working directory. go test runs a test in its package's folder, so this
// finds the repository root from any package.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// OutputDir returns the folder for test artefacts (screenshots, axe results),
// creating it: $ATRIUM_TEST_OUTPUT when set, otherwise <module root>/test-output.
// CI uploads this folder when a job fails.
func OutputDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("ATRIUM_TEST_OUTPUT")
	if dir == "" {
		root, err := ModuleRoot()
		if err != nil {
			t.Fatalf("testenv: output folder: %v", err)
		}
		dir = filepath.Join(root, "test-output")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("testenv: output folder: %v", err)
	}
	return dir
}

// screenshotDir is where screenshots and the axe results beside them go.
func screenshotDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(OutputDir(t), "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("testenv: screenshot folder: %v", err)
	}
	return dir
}

var unsafeFileChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// fileName turns a test or artefact name such as "TestLogin/bad password"
// into a name safe for any file system.
func fileName(name string) string {
	s := unsafeFileChars.ReplaceAllString(name, "_")
	if strings.Trim(s, "._") == "" {
		return "unnamed"
	}
	return s
}
