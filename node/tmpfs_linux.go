package node

import "syscall"

// tmpfsMagic is the file-system type statfs reports for tmpfs.
const tmpfsMagic = 0x01021994

// onTmpfs reports whether dir lies on tmpfs (memory), where an fsync
// writes nothing and prepared segments' zeros are work for nothing.
func onTmpfs(dir string) bool {
	var st syscall.Statfs_t
	return syscall.Statfs(dir, &st) == nil && st.Type == tmpfsMagic
}
