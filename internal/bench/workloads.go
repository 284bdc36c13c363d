package bench

import (
	"fmt"
	"strconv"
	"strings"
)

// ParseWorkloads reads "10,100,500,500x5": resources, or resources x hosts.
func ParseWorkloads(s string) ([]Workload, error) {
	var out []Workload
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		res, hosts, multi := strings.Cut(f, "x")
		w := Workload{Hosts: 1}
		var err error
		if w.Resources, err = strconv.Atoi(res); err != nil || w.Resources < 5 {
			return nil, fmt.Errorf("workload %q: resources must be a number of at least 5", f)
		}
		if multi {
			if w.Hosts, err = strconv.Atoi(hosts); err != nil || w.Hosts < 1 || w.Hosts > 250 {
				return nil, fmt.Errorf("workload %q: hosts must be a number from 1 to 250", f)
			}
		}
		if w.Resources%w.Hosts != 0 || w.Resources/w.Hosts < 5 {
			return nil, fmt.Errorf("workload %q: each host needs the same number of resources, at least 5", f)
		}
		out = append(out, w)
	}
	return out, nil
}
