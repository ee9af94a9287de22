//go:build !unix

package source

import "io/fs"

// fileID returns zeros where the platform has no device and inode numbers.
func fileID(fs.FileInfo) (dev, inode uint64) { return 0, 0 }
