import Mustache

// Name lookups for the template, so that swift-mustache need not reflect each row with
// Mirror (which made a 10,000-sequence report take seconds). A name a row does not know
// returns nil and Mustache looks it up in the enclosing context, as with Mirror.

extension HTMLReport.View: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "verdict": return verdict
        case "verdictClass": return verdictClass
        case "generatedAt": return generatedAt
        case "reseqVersion": return reseqVersion
        case "summaries": return summaries
        case "dbRoles": return dbRoles
        case "dbFacts": return dbFacts
        case "groups": return groups
        case "plan": return plan
        case "hasPlan": return hasPlan
        case "apply": return apply as Any?
        case "hasRisks": return hasRisks
        case "riskNotes": return riskNotes
        case "capacity": return capacity
        default: return nil
        }
    }
}

extension HTMLReport.View.Summary: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "id": return id
        case "title": return title
        case "hasTitle": return hasTitle
        case "hasRows": return hasRows
        case "rows": return rows
        default: return nil
        }
    }
}

extension HTMLReport.View.SummaryLine: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "label": return label
        case "kind": return kind
        case "severity": return severity
        case "errors": return errors
        case "warnings": return warnings
        case "info": return info
        case "total": return total
        default: return nil
        }
    }
}

extension HTMLReport.View.Fact: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "label": return label
        case "cells": return cells
        default: return nil
        }
    }
}

extension HTMLReport.View.Group: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "title": return title
        case "findings": return findings
        default: return nil
        }
    }
}

extension HTMLReport.View.Finding: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "severity": return severity
        case "kind": return kind
        case "object": return object
        case "sourceValue": return sourceValue
        case "targetValue": return targetValue
        case "consequence": return consequence
        default: return nil
        }
    }
}

extension HTMLReport.View.Step: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "step": return step
        case "sql": return sql
        case "fixes": return fixes
        case "lock": return lock
        default: return nil
        }
    }
}

extension HTMLReport.View.Apply: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "changes": return changes
        case "hasOutcomes": return hasOutcomes
        case "outcomes": return outcomes
        case "hasVerification": return hasVerification
        case "verificationText": return verificationText
        case "verification": return verification as Any?
        default: return nil
        }
    }
}

extension HTMLReport.View.Change: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "sequence": return sequence
        case "before": return before
        case "after": return after
        case "outcome": return outcome
        default: return nil
        }
    }
}

extension HTMLReport.View.Outcome: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "object": return object
        case "status": return status
        case "message": return message
        default: return nil
        }
    }
}

extension HTMLReport.View.Capacity: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "risk": return risk
        case "sequence": return sequence
        case "dataType": return dataType
        case "limit": return limit
        case "used": return used
        case "left": return left
        default: return nil
        }
    }
}
