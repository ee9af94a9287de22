package source_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"strings"

	"github.com/pftls/pftls/logparse/source"
)

func ExampleNewReader() {
	in := "Mar  1 10:00:01 mx postfix/smtpd[101]: connect from a.example[192.0.2.1]\r\n" +
		"Mar  1 10:00:03 mx postfix/smtpd[101]: disconnect"
	r, err := source.NewReader("example", strings.NewReader(in))
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	for {
		l, err := r.Next(context.Background())
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%d [%d,%d) partial=%v %s\n", l.Number, l.Offset, l.End, l.Partial, l.Bytes)
	}
	// Output:
	// 1 [0,74) partial=false Mar  1 10:00:01 mx postfix/smtpd[101]: connect from a.example[192.0.2.1]
	// 2 [74,123) partial=true Mar  1 10:00:03 mx postfix/smtpd[101]: disconnect
}

func ExampleReader_SkipTo() {
	in := "one\ntwo\nthree\n"
	r, _ := source.NewReader("example", strings.NewReader(in))
	// Resume after "two", whose End a previous run stored.
	if err := r.SkipTo(8); err != nil {
		log.Fatal(err)
	}
	l, _ := r.Next(context.Background())
	fmt.Println(l.Number, string(l.Bytes))
	// Output: 3 three
}
