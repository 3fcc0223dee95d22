// Package e2e holds Atrium's browser tests: the real binary, a real identity
// provider (Dex, and the demo provider of `atrium demo`) and Debian's Chromium
// driven through chromedp. Screenshots and accessibility reports are written to
// $ATRIUM_TEST_OUTPUT/screenshots on every run.
package e2e
