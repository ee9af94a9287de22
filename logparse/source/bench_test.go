package source

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sync"
	"testing"
)

// benchInput is about 10 MB of Postfix-like lines, made once.
var benchInput = sync.OnceValue(func() []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < 10<<20; i++ {
		fmt.Fprintf(&b, "Mar  1 10:%02d:%02d mx postfix/smtpd[%d]: Anonymous TLS connection established from mail%d.example.com[192.0.2.%d]: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)\n",
			i/60%60, i%60, 1000+i%5000, i, i%250)
	}
	return b.Bytes()
})

func BenchmarkNext(b *testing.B) {
	text := benchInput()
	for _, c := range []struct {
		name string
		data []byte
	}{
		{"plain", text},
		{"gzip", gzipped(b, text)},
		{"zstd", zstded(b, text)},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(text))) // decompressed bytes
			for b.Loop() {
				r, err := NewReader("bench", bytes.NewReader(c.data))
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				for {
					_, err := r.Next(context.Background())
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					n++
				}
				r.Close()
				if n == 0 {
					b.Fatal("no lines")
				}
			}
		})
	}
}
