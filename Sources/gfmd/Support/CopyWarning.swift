import Foundation
import GFMDCore
import GFMDReplica

/// The one plain line that says a replica folder is in use on two computers,
/// and what to do (`gfmd bundle apply`, `gfmd sync`, `gfmd status`).
enum CopyWarning {
    static func line(_ notice: CopyNotice, site: SiteID) -> String {
        let host = ProcessInfo.processInfo.hostName
        return "warning: this laptop's site \(site.short) is in use on another computer too: changes this computer (\(host)) did not make, the first of \(Output.time(notice.since)), came through \(notice.through) on \(Output.time(notice.detected)). Its replica folder was copied, or restored from a backup, and both copies went on. Nothing is lost and both copies agree, but run `gfmd rekey -o new.request` on one of the two computers (only one) to give it a site of its own, keeping its work; once the other has, `gfmd rekey --dismiss` clears this."
    }
}
