package proc

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// line is one stdin line as the agent reads it.
type line struct {
	text    []byte // without the line ending
	tooLong bool   // longer than the limit; text is empty
	err     error  // io.EOF at the end of stdin
}

// readLines feeds stdin's lines to a channel until stdin ends or done is
// closed. Several lines in one chunk come out one by one, in order. A line
// over max is consumed and reported as tooLong rather than buffered, so a
// hostile client cannot make the simulator hold unbounded input.
func readLines(r io.Reader, max int, done <-chan struct{}) <-chan line {
	ch := make(chan line)
	go func() {
		defer close(ch)
		br := bufio.NewReaderSize(r, 64<<10)
		for {
			l := readLine(br, max)
			select {
			case ch <- l:
			case <-done:
				return
			}
			if l.err != nil {
				return
			}
		}
	}()
	return ch
}

func readLine(br *bufio.Reader, max int) line {
	var buf []byte
	tooLong := false
	for {
		chunk, err := br.ReadSlice('\n')
		if !tooLong {
			if len(buf)+len(chunk) > max+2 { // +2 for CRLF
				tooLong, buf = true, nil
			} else {
				buf = append(buf, chunk...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil {
			if len(buf) > 0 || tooLong {
				// A last line without a newline still counts; EOF follows.
				return line{text: bytes.TrimRight(buf, "\r\n"), tooLong: tooLong}
			}
			return line{err: err}
		}
		return line{text: bytes.TrimRight(buf, "\r\n"), tooLong: tooLong}
	}
}
