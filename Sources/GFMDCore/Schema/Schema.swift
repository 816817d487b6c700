/// The GFMD schema (DESIGN.md §3): the six record types and their fields.
///
/// Records of types, and fields, that this version does not know (written by
/// a newer version) are still stored, merged and forwarded; the schema only
/// decides how known fields are validated and displayed.
public enum Schema {
    /// Fields every record has, whatever its type.
    public static let commonFields: [FieldSpec] = [
        FieldSpec("co_authors", .set, .participant, "participants who may edit the record with its owner"),
    ]

    /// Every record type, in the order the help text lists them.
    public static let types: [RecordType] = [
        RecordType(
            name: "practice", help: "an entry of the Policy & Practice Database",
            fields: [
                FieldSpec("title", .register, .line, "the practice's name"),
                FieldSpec("summary", .text, .text, "what the practice is and does"),
                FieldSpec("objectives", .text, .text, "what it set out to achieve"),
                FieldSpec("outcomes", .text, .text, "what it achieved"),
                FieldSpec("lessons", .text, .text, "lessons learnt"),
                FieldSpec("implementing_countries", .set, .state, "states implementing it (ISO 3166-1 alpha-3)"),
                FieldSpec("partners", .set, .participant, "partner states and organisations"),
                FieldSpec("themes", .set, .line, "thematic tags"),
                FieldSpec("gfmd_sources", .set, .line, "GFMD meetings or papers it came from"),
                FieldSpec("contact", .register, .line, "contact person or office"),
                FieldSpec("start_date", .register, .date, "start date, YYYY-MM-DD"),
                FieldSpec("end_date", .register, .date, "end date, YYYY-MM-DD"),
                FieldSpec("implementation_status", .register, .choice(["planned", "ongoing", "completed", "discontinued"]), "planned, ongoing, completed or discontinued"),
            ] + commonFields,
            titleField: "title", dynamicFieldPrefix: nil),
        RecordType(
            name: "background_paper", help: "a roundtable session's background paper",
            fields: [
                FieldSpec("session", .register, .line, "the roundtable session, e.g. \"RT 1.2\""),
                FieldSpec("language", .register, .choice(["en", "fr", "es", "ar", "zh", "ru"]), "language of the paper: en, fr, es, ar, zh or ru"),
                FieldSpec("title", .register, .line, "the paper's title"),
                FieldSpec("sections", .list, .textList, "the paper's sections, in order"),
                FieldSpec("guiding_questions", .list, .textList, "questions to guide the session, in order"),
                FieldSpec("practices_cited", .set, .record(type: "practice"), "practices the paper cites (record ids)"),
                FieldSpec("co_chairs", .set, .participant, "participants co-chairing the session"),
                FieldSpec("team", .set, .line, "members of the drafting team"),
            ] + commonFields,
            titleField: "title", dynamicFieldPrefix: nil),
        RecordType(
            name: "follow_up_report", help: "a report on follow-up action between meetings",
            fields: [
                FieldSpec("recommendation", .register, .line, "the recommendation followed up"),
                FieldSpec("actions", .text, .text, "actions taken"),
                FieldSpec("status", .register, .choice(["planned", "ongoing", "done", "dropped"]), "progress of the follow-up: planned, ongoing, done or dropped"),
                FieldSpec("partners", .set, .participant, "partner states and organisations"),
                FieldSpec("results", .text, .text, "results so far"),
                FieldSpec("period_start", .register, .date, "start of the reporting period, YYYY-MM-DD"),
                FieldSpec("period_end", .register, .date, "end of the reporting period, YYYY-MM-DD"),
            ] + commonFields,
            titleField: "recommendation", dynamicFieldPrefix: nil),
        RecordType(
            name: "knowledge_gap", help: "a gap in the matrix of knowledge",
            fields: [
                FieldSpec("theme", .register, .line, "the theme of the gap"),
                FieldSpec("gap", .text, .text, "what is not known"),
                FieldSpec("evidence", .text, .text, "evidence of the gap"),
                FieldSpec("proposers", .set, .participant, "participants proposing it"),
            ] + commonFields,
            titleField: "theme", dynamicFieldPrefix: nil),
        RecordType(
            name: "partnership_call", help: "a call for partners",
            fields: [
                FieldSpec("text", .text, .text, "the call"),
                FieldSpec("partners_sought", .set, .participant, "participants sought as partners"),
                FieldSpec("linked_practice", .register, .record(type: "practice"), "the practice the call builds on (record id)"),
            ] + commonFields,
            titleField: "text", dynamicFieldPrefix: nil),
        RecordType(
            name: "survey_response", help: "an answer to a GFMD questionnaire",
            fields: [
                FieldSpec("questionnaire", .register, .line, "the questionnaire answered"),
                FieldSpec("examples", .text, .text, "examples given"),
            ] + commonFields,
            titleField: "questionnaire", dynamicFieldPrefix: "answers."),
    ]

    private static let typesByName = Dictionary(uniqueKeysWithValues: types.map { ($0.name, $0) })

    /// The record type named `name`, if this version knows it.
    public static func type(named name: String) -> RecordType? {
        typesByName[name]
    }
}
