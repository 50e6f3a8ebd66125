#pragma once

#include "common/error.h"

#include <QHash>
#include <QList>
#include <QMap>
#include <QSet>
#include <QString>
#include <QStringList>
#include <QVariant>

#include <optional>

// What an Ansible inventory holds, read from INI or YAML, before it means anything to ReleaseDesk.
namespace rd::ansible {

inline const QString AllGroup = QStringLiteral("all");
inline const QString UngroupedGroup = QStringLiteral("ungrouped");

// Host vars, in the order they are written.
inline const QString HostVar = QStringLiteral("ansible_host");
inline const QString PortVar = QStringLiteral("ansible_port");
inline const QString UserVar = QStringLiteral("ansible_user");
inline const QString KeyFileVar = QStringLiteral("ansible_ssh_private_key_file");
inline const QString DepartmentVar = QStringLiteral("releasedesk_department");
inline const QString EnabledVar = QStringLiteral("releasedesk_enabled");
inline const QString KeyVar = QStringLiteral("releasedesk_key");
inline const QString KeyUserVar = QStringLiteral("releasedesk_key_user");
inline const QString NotesVar = QStringLiteral("releasedesk_notes");
inline const QString OwnerVar = QStringLiteral("releasedesk_owner");
inline const QString TagsVar = QStringLiteral("releasedesk_tags");

// Group vars of an exported environment, and of its project so it can be recreated elsewhere.
inline const QString ProjectVar = QStringLiteral("releasedesk_project");
inline const QString EnvironmentVar = QStringLiteral("releasedesk_environment");
inline const QString DeployRootVar = QStringLiteral("releasedesk_deploy_root");
inline const QString ParallelismVar = QStringLiteral("releasedesk_parallelism");
inline const QString StrategyVar = QStringLiteral("releasedesk_strategy");
inline const QString SharedPathsVar = QStringLiteral("releasedesk_shared_paths");
inline const QString GitUrlVar = QStringLiteral("releasedesk_git_url");
inline const QString BranchVar = QStringLiteral("releasedesk_default_branch");
inline const QString KeepVar = QStringLiteral("releasedesk_keep_releases");
inline const QString ExcludesVar = QStringLiteral("releasedesk_package_excludes");
inline const QString UnauthenticatedVar = QStringLiteral("releasedesk_allow_unauthenticated");

// A variable is text or a list of texts; anything else (maps, in YAML) is kept as null and unused.
using Vars = QMap<QString, QVariant>;
using VarList = QList<std::pair<QString, QVariant>>;

struct HostEntry
{
    QString name;
    Vars vars;
    int line = 0;
};

struct GroupEntry
{
    QString name;
    QStringList hosts;
    QStringList children;
    Vars vars;
    int line = 0;
    QSet<QString> hostSet;
    QSet<QString> childSet;

    void addHost(const QString &host)
    {
        if (!hostSet.contains(host)) {
            hostSet.insert(host);
            hosts.append(host);
        }
    }

    void addChild(const QString &child)
    {
        if (!childSet.contains(child)) {
            childSet.insert(child);
            children.append(child);
        }
    }
};

// Ceilings far above a real fleet's inventory (issue: 5,000 servers), so a crafted or mistaken file
// ends in an error naming the limit instead of exhausting memory or time.
inline constexpr qsizetype MaxHosts = 50000;
inline constexpr qsizetype MaxGroups = 10000;
inline constexpr int MaxNesting = 32;
// YAML aliases let a short file name the same subtree again and again; every group, host and
// variable read counts, however it was reached.
inline constexpr qsizetype MaxYamlEntries = 1000000;
// Host-in-group pairs, children included: groups × hosts grows fast when every group holds all.
inline constexpr qsizetype MaxMemberships = 1000000;

struct Model
{
    QList<HostEntry> hosts;
    QHash<QString, qsizetype> hostIndex;
    QList<GroupEntry> groups;
    QHash<QString, qsizetype> groupIndex;

    HostEntry &host(const QString &name, int line)
    {
        if (!hostIndex.contains(name)) {
            hostIndex.insert(name, hosts.size());
            hosts.append(HostEntry{name, {}, line});
        }
        return hosts[hostIndex.value(name)];
    }

    GroupEntry &group(const QString &name, int line)
    {
        if (!groupIndex.contains(name)) {
            groupIndex.insert(name, groups.size());
            groups.append(GroupEntry{name, {}, {}, {}, line, {}, {}});
        }
        return groups[groupIndex.value(name)];
    }

    std::optional<Error> overLimits(int line) const;
};

// "Line N: message", with the line as the error's field.
Error lineError(int line, const QString &message, const QString &hint = {});
// Ansible's booleans as an inventory writes them: anything but false, no or 0 is true.
bool isTrue(const QVariant &value);
QString text(const QVariant &value);
// Lists come as YAML sequences, or in INI as a JSON array (what Ansible reads as a list too) or a
// comma-separated text written by hand.
QStringList list(const QVariant &value);
// Expands Ansible's ranges: web[01:03] -> web01 web02 web03, db-[a:c] -> db-a db-b db-c, [0:10:5].
Result<QStringList> expandRanges(const QString &pattern, int line);

} // namespace rd::ansible
