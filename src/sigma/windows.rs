//! Windows events without flags: where a plain Sigma field name (`Image`, `EventID`) is found in
//! evtx_dump JSON (`Event.EventData.*`, `Event.System.*`), Winlogbeat JSON (`winlog.*`) and flat
//! NXLog JSON, and the EventID/channel conditions a `logsource` implies (as pySigma's Windows
//! pipelines add them).
//!
//! Lookup for a field `F` of a `product: windows` rule (a match in any of them counts): `F` itself;
//! for System fields (`EventID`, `Channel`, `Provider_Name`, `Computer`, ...) their System and
//! Winlogbeat paths; else `Event.EventData.F`, `winlog.event_data.F`, `Event.UserData.*.F`, and for
//! Defender (`service: windefend`) the spaced name (`Source Name`). Security 4688 names are added
//! for `process_creation` (`Image` → `NewProcessName`). Dotted names are taken as written.

use crate::sigma::rule::LogSource;

/// `Event.System` fields by their Sigma name, with the paths where they are found.
const SYSTEM: &[(&str, &[&str])] = &[
    (
        "EventID",
        &[
            "Event.System.EventID",
            "Event.System.EventID.#text",
            "winlog.event_id",
        ],
    ),
    ("Channel", &["Event.System.Channel", "winlog.channel"]),
    (
        "Provider_Name",
        &[
            "Event.System.Provider.#attributes.Name",
            "winlog.provider_name",
            "SourceName",
        ],
    ),
    (
        "Computer",
        &["Event.System.Computer", "winlog.computer_name", "Hostname"],
    ),
    ("Level", &["Event.System.Level"]),
    ("Task", &["Event.System.Task", "winlog.task"]),
    ("Opcode", &["Event.System.Opcode", "winlog.opcode"]),
    ("Keywords", &["Event.System.Keywords", "winlog.keywords"]),
    (
        "EventRecordID",
        &["Event.System.EventRecordID", "winlog.record_id"],
    ),
    ("Version", &["Event.System.Version", "winlog.version"]),
    (
        "Execution_ProcessID",
        &[
            "Event.System.Execution.#attributes.ProcessID",
            "winlog.process.pid",
        ],
    ),
    (
        "Security_UserID",
        &[
            "Event.System.Security.#attributes.UserID",
            "winlog.user.identifier",
        ],
    ),
];

/// Sigma process-creation names and their Security 4688 names.
const AUDIT_4688: &[(&str, &str)] = &[
    ("Image", "NewProcessName"),
    ("ParentImage", "ParentProcessName"),
];

/// Whether the rule is for Windows events.
pub fn is_windows(logsource: &LogSource) -> bool {
    logsource
        .product
        .as_deref()
        .is_some_and(|p| p.eq_ignore_ascii_case("windows"))
}

/// The fields to look a Sigma field name up in, in order.
pub fn candidates(field: &str, logsource: &LogSource) -> Vec<String> {
    let mut out = vec![field.to_string()];
    if !is_windows(logsource) || field.contains('.') || field.starts_with('_') {
        return out;
    }
    if let Some((_, paths)) = SYSTEM.iter().find(|(name, _)| *name == field) {
        out.extend(paths.iter().map(|p| p.to_string()));
        return out;
    }
    out.push(format!("Event.EventData.{field}"));
    out.push(format!("winlog.event_data.{field}"));
    out.push(format!("Event.UserData.*.{field}"));
    if logsource.service.as_deref() == Some("windefend") {
        let spaced = spaced(field);
        if spaced != field {
            out.push(format!("Event.EventData.{spaced}"));
        }
    }
    if logsource.category.as_deref() == Some("process_creation") {
        if let Some((_, audit)) = AUDIT_4688.iter().find(|(name, _)| *name == field) {
            out.push(audit.to_string());
            out.push(format!("Event.EventData.{audit}"));
            out.push(format!("winlog.event_data.{audit}"));
        }
    }
    out
}

/// `SourceName` → `Source Name`: Defender writes its EventData names with spaces, which Sigma
/// strips ("Field Usage" in the rules specification).
fn spaced(field: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in field.chars() {
        if c.is_uppercase() && prev_lower {
            out.push(' ');
        }
        prev_lower = c.is_lowercase();
        out.push(c);
    }
    out
}

/// Sysmon and Security event IDs of each Windows `category`.
const CATEGORIES: &[(&str, &[u32])] = &[
    ("process_creation", &[1, 4688]),
    ("file_change", &[2]),
    ("network_connection", &[3, 5156]),
    ("sysmon_status", &[4, 16]),
    ("process_termination", &[5, 4689]),
    ("driver_load", &[6]),
    ("image_load", &[7]),
    ("create_remote_thread", &[8]),
    ("raw_access_thread", &[9]),
    ("process_access", &[10]),
    ("file_event", &[11]),
    ("registry_add", &[12]),
    ("registry_delete", &[12]),
    ("registry_set", &[13]),
    ("registry_rename", &[14]),
    ("registry_event", &[12, 13, 14]),
    ("create_stream_hash", &[15]),
    ("pipe_created", &[17, 18]),
    ("wmi_event", &[19, 20, 21]),
    ("dns_query", &[22]),
    ("file_delete", &[23, 26]),
    ("clipboard_capture", &[24]),
    ("process_tampering", &[25]),
    ("file_delete_detected", &[26]),
    ("file_block_executable", &[27]),
    ("file_block_shredding", &[28]),
    ("file_executable_detected", &[29]),
    ("sysmon_error", &[255]),
];

/// Channels of each Windows `service`.
const SERVICES: &[(&str, &str)] = &[
    ("security", "Security"),
    ("system", "System"),
    ("application", "Application"),
    ("sysmon", "Microsoft-Windows-Sysmon/Operational"),
    ("powershell", "Microsoft-Windows-PowerShell/Operational"),
    ("powershell-classic", "Windows PowerShell"),
    (
        "taskscheduler",
        "Microsoft-Windows-TaskScheduler/Operational",
    ),
    ("wmi", "Microsoft-Windows-WMI-Activity/Operational"),
    (
        "windefend",
        "Microsoft-Windows-Windows Defender/Operational",
    ),
    ("dns-server", "DNS Server"),
    (
        "driver-framework",
        "Microsoft-Windows-DriverFrameworks-UserMode/Operational",
    ),
    ("bits-client", "Microsoft-Windows-Bits-Client/Operational"),
    (
        "codeintegrity-operational",
        "Microsoft-Windows-CodeIntegrity/Operational",
    ),
    (
        "firewall-as",
        "Microsoft-Windows-Windows Firewall With Advanced Security/Firewall",
    ),
    ("applocker", "Microsoft-Windows-AppLocker/EXE and DLL"),
    (
        "terminalservices-localsessionmanager",
        "Microsoft-Windows-TerminalServices-LocalSessionManager/Operational",
    ),
    ("ntlm", "Microsoft-Windows-NTLM/Operational"),
    ("msexchange-management", "MSExchange Management"),
    ("openssh", "OpenSSH/Operational"),
    ("ldap_debug", "Microsoft-Windows-LDAP-Client/Debug"),
    ("dhcp", "Microsoft-Windows-DHCP-Server/Operational"),
    ("smbclient-security", "Microsoft-Windows-SmbClient/Security"),
    ("shell-core", "Microsoft-Windows-Shell-Core/Operational"),
    (
        "appxdeployment-server",
        "Microsoft-Windows-AppXDeploymentServer/Operational",
    ),
    ("lsa-server", "Microsoft-Windows-LSA/Operational"),
    ("capi2", "Microsoft-Windows-CAPI2/Operational"),
    (
        "certificateservicesclient-lifecycle-system",
        "Microsoft-Windows-CertificateServicesClient-Lifecycle-System/Operational",
    ),
];

/// What a Windows logsource requires of an event that says what it is.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Implied {
    /// Allowed event IDs (empty: any).
    pub event_ids: Vec<u32>,
    /// The channel (none: any).
    pub channel: Option<&'static str>,
}

/// The conditions a Windows logsource implies. They constrain only events that carry an EventID
/// or channel, so hand-written events with just the detection fields still match.
pub fn implied(logsource: &LogSource) -> Implied {
    let mut out = Implied::default();
    if !is_windows(logsource) {
        return out;
    }
    if let Some(cat) = logsource.category.as_deref() {
        if let Some((_, ids)) = CATEGORIES.iter().find(|(c, _)| *c == cat) {
            out.event_ids = ids.to_vec();
        }
    }
    if let Some(service) = logsource.service.as_deref() {
        if let Some((_, channel)) = SERVICES.iter().find(|(s, _)| *s == service) {
            out.channel = Some(channel);
        }
    }
    out
}
