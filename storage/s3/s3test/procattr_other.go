//go:build !linux

package s3test

import "syscall"

// procAttr: only Linux can tie MinIO's life to the test binary's; elsewhere
// Stop (through Main) is the only way it ends.
func procAttr() *syscall.SysProcAttr { return nil }
