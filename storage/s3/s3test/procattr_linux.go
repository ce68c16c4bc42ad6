package s3test

import "syscall"

// procAttr makes the kernel kill MinIO when the test binary dies without
// reaching Stop (a panic, a timeout, a test that never calls Main).
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
