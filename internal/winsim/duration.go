package winsim

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// parseDuration reads the xs:duration forms WS-Man clients send for
// OperationTimeout and IdleTimeOut: PT60S, PT60.000S, PT1M30S, P0DT0H0M5S.
// Years and months make no sense for a timeout and are refused.
func parseDuration(s string) (time.Duration, error) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(s), "P")
	if !ok || rest == "" {
		return 0, fmt.Errorf("duration %q: want PnDTnHnMnS", s)
	}
	var d time.Duration
	inTime, parts := false, 0
	for rest != "" {
		if rest[0] == 'T' && !inTime {
			inTime = true
			rest = rest[1:]
			if rest == "" {
				return 0, fmt.Errorf("duration %q: nothing after T", s)
			}
			continue
		}
		i := strings.IndexAny(rest, "DHMS")
		if i <= 0 {
			return 0, fmt.Errorf("duration %q: bad component", s)
		}
		num := rest[:i]
		if strings.Trim(num, "0123456789.") != "" || strings.Count(num, ".") > 1 {
			return 0, fmt.Errorf("duration %q: bad number %q", s, num)
		}
		n, err := strconv.ParseFloat(num, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("duration %q: bad number %q", s, rest[:i])
		}
		var unit time.Duration
		switch {
		case rest[i] == 'D' && !inTime:
			unit = 24 * time.Hour
		case rest[i] == 'H' && inTime:
			unit = time.Hour
		case rest[i] == 'M' && inTime:
			unit = time.Minute
		case rest[i] == 'S' && inTime:
			unit = time.Second
		default:
			return 0, fmt.Errorf("duration %q: unit %c out of place", s, rest[i])
		}
		if n > float64(1<<62)/float64(unit) {
			return 0, fmt.Errorf("duration %q: too long", s)
		}
		d += time.Duration(n * float64(unit))
		rest = rest[i+1:]
		parts++
	}
	if parts == 0 {
		return 0, fmt.Errorf("duration %q: no components", s)
	}
	return d, nil
}
