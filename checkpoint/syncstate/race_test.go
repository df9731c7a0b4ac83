//go:build race

package syncstate

const raceEnabled = true
