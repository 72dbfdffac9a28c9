// Package tandem holds Tandem's domain: teams, people, codebases and their
// owners, code hosts, platforms and the checks over code that detect
// adoption, and the interfaces between the parts that read and store them.
package tandem
