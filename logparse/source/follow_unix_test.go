//go:build unix

package source

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestFollowUnreadableUnix: the unreadable files only a Unix system has,
// made for real.
func TestFollowUnreadableUnix(t *testing.T) {
	t.Run("log_rotation_new_file_mode_0000", func(t *testing.T) {
		t.Parallel()
		if os.Geteuid() == 0 {
			t.Skip("running as root, which reads a file of any mode: log_rotation_new_file_permission_denied refuses the open instead")
		}
		path, f := followFirstLine(t, FollowOptions{})
		rotateAway(t, path)
		appendLog(t, path, joinLines(mailLine(2)))
		if err := os.Chmod(path, 0); err != nil {
			t.Fatal(err)
		}
		expectReportPersisting(t, f, "open "+path+": permission denied")
		if err := os.Chmod(path, 0o640); err != nil {
			t.Fatal(err)
		}
		expectReport(t, f, "")
		expectLines(t, f, mailLine(2))
		expectQuiet(t, f, 0)
	})

	t.Run("log_rotation_fifo_at_path", func(t *testing.T) {
		t.Parallel()
		// A named pipe took the path: reported without opening it (an
		// open would wait for a writer, and the Reader with it).
		path, f := followFirstLine(t, FollowOptions{})
		rotateAway(t, path)
		if err := syscall.Mkfifo(path, 0o644); err != nil {
			t.Skipf("mkfifo: %v", err)
		}
		expectReportPersisting(t, f, "follow "+path+": not a regular file")
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
		expectReport(t, f, "no such file or directory")
		appendLog(t, path, joinLines(mailLine(2)))
		expectReport(t, f, "")
		expectLines(t, f, mailLine(2))
		expectQuiet(t, f, 0)
	})

	t.Run("check_follow_fifo", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "pipe")
		if err := syscall.Mkfifo(path, 0o644); err != nil {
			t.Skipf("mkfifo: %v", err)
		}
		if err := CheckFollow(path); err == nil || err.Error() != "follow "+path+": not a regular file" {
			t.Errorf("CheckFollow(a FIFO) = %v, want not a regular file", err)
		}
		if _, err := Follow(path, FollowOptions{}); err == nil {
			t.Errorf("Follow(a FIFO) succeeded")
		}
	})
}
