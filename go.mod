module github.com/pftls/pftls

go 1.26.8

require (
	github.com/klauspost/compress v1.20.3
	github.com/mattn/go-sqlite3 v1.14.53
	golang.org/x/term v0.47.0
)

require golang.org/x/sys v0.49.0 // indirect
