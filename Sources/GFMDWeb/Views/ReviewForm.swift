package import GFMDCore

/// The review buttons a secretariat session sees on a record's page: the
/// actions its work-flow state allows (`Protocol/trust.md`, "Work-flow"),
/// each a form posted to `/records/ID/review` with the session's CSRF token.
package struct ReviewForm: Sendable {
    /// The session's CSRF token.
    package let csrf: String
    /// Why the last action was refused, in words, shown above the buttons.
    package let refusal: String?

    package init(csrf: String, refusal: String?) {
        self.csrf = csrf
        self.refusal = refusal
    }

    /// The actions offered in `states`: start a submission's review; accept
    /// or return (with a note) a record under review.
    package func html(for record: RecordID, state states: [WorkflowState]) -> String {
        var forms: [String] = []
        let action = "/records/\(record.hex)/review"
        if states.contains(.submitted) {
            forms.append(form(action, "start", "Start the review"))
        }
        if states.contains(.underReview) {
            forms.append(form(action, "accept", "Accept and publish"))
            forms.append("""
                <form method="post" action="\(action)">\(HTML.csrfField(csrf))<input type="hidden" name="action" value="return">
                <label>Note for the owner <input type="text" name="note" id="return-note" dir="auto" size="40" required></label>
                <button type="submit" id="review-return">Return to its owner</button></form>
                """)
        }
        let refused = refusal.map { "<p class=\"refusal\" id=\"review-refused\">\(HTML.escape($0))</p>" } ?? ""
        guard !forms.isEmpty || refusal != nil else { return "" }
        return "<section id=\"review\"><h2>Review</h2>\(refused)\(forms.joined(separator: "\n"))</section>\n"
    }

    private func form(_ action: String, _ name: String, _ label: String) -> String {
        """
        <form method="post" action="\(action)">\(HTML.csrfField(csrf))<input type="hidden" name="action" value="\(name)">\
        <button type="submit" id="review-\(name)">\(HTML.escape(label))</button></form>
        """
    }
}
