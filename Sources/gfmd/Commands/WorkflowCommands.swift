import Foundation
import ArgumentParser
import GFMDCore
import GFMDReplica

/// Makes a work-flow transition and confirms it on one line.
private func move(_ id: String, to target: WorkflowState, note: String? = nil, with options: ReplicaOptions) throws {
    try confirm(id, with: options, saying: target.displayName) { try $0.transition(id, to: target, note: note) }
}

/// `gfmd submit`: a delegation submits a record to the secretariat.
struct SubmitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Submit a draft (or a returned or withdrawn record) to the secretariat.",
        discussion: "Only the owner and co-authors submit. A submitted record is locked for them until it is returned or withdrawn.")

    @OptionGroup var replica: ReplicaOptions
    @Argument(help: ArgumentHelp("The record's id, or its first digits.", valueName: "id")) var id: String

    func run() throws {
        try move(id, to: .submitted, with: replica)
    }
}

/// `gfmd withdraw`: a delegation takes a submission back.
struct WithdrawCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "withdraw",
        abstract: "Withdraw a submitted record, to edit it again.",
        discussion: "Possible until the secretariat starts its review.")

    @OptionGroup var replica: ReplicaOptions
    @Argument(help: ArgumentHelp("The record's id, or its first digits.", valueName: "id")) var id: String

    func run() throws {
        try move(id, to: .withdrawn, with: replica)
    }
}

/// `gfmd review`: the secretariat reviews a submission.
struct ReviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "Review a submission (secretariat): start, accept or return it.",
        discussion: """
            --start moves a submitted record under review; --accept publishes it, so that \
            every participant receives it; --return "note" sends it back to its owner with \
            the note. Editing an accepted record starts a new draft; the published version \
            stays readable (`gfmd show ID --published`).
            """)

    @OptionGroup var replica: ReplicaOptions
    @Argument(help: ArgumentHelp("The record's id, or its first digits.", valueName: "id")) var id: String

    @Flag(help: "Start the review of a submitted record.") var start = false
    @Flag(help: "Accept the record under review: publish it.") var accept = false
    @Option(name: .customLong("return"), help: ArgumentHelp("Return the record under review to its owner, with this note.", valueName: "note"))
    var returnNote: String?

    func validate() throws {
        guard [start, accept, returnNote != nil].filter({ $0 }).count == 1 else {
            throw ValidationError("give one of --start, --accept or --return \"note\"")
        }
    }

    func run() throws {
        if start {
            try move(id, to: .underReview, with: replica)
        } else if accept {
            try move(id, to: .accepted, with: replica)
        } else {
            try move(id, to: .returned, note: returnNote, with: replica)
        }
    }
}

/// `gfmd settle`: the secretariat decides which create of a contested record stands.
struct SettleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "settle",
        abstract: "Settle a contested record (secretariat): which of its creates stands.",
        discussion: """
            A record created twice, by two participants (or as two types), is contested: \
            nobody owns it, and every change made on both creates is rejected. `gfmd conflicts` \
            lists its creates; `gfmd settle ID --owner PHL` keeps the one of PHL (add --type \
            when PHL created it as two types). The record is then PHL's on every replica that \
            receives the settlement, and editable again; what the other create wrote stays in \
            its history, and its values as conflicts to resolve.
            """)

    @OptionGroup var replica: ReplicaOptions
    @Argument(help: ArgumentHelp("The record's id, or its first digits.", valueName: "id")) var id: String
    @Option(help: ArgumentHelp("The owner whose create stands (a participant code).", valueName: "participant")) var owner: String
    @Option(help: ArgumentHelp("The record type whose create stands, when the owner created it as two.", valueName: "type")) var type: String?

    func run() throws {
        let owner = self.owner.uppercased()
        try confirm(id, with: replica, saying: "settled as \(type.map { "a \($0)" } ?? "the record") of \(owner)") {
            try $0.settle(id, owner: owner, type: type)
        }
    }
}
