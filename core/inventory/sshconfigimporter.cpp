#include "sshconfigimporter.h"

#include "common/boundedfile.h"
#include "common/wildcard.h"
#include "inventorystore.h"
#include "validator.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QSet>

#include <algorithm>

#include <pwd.h>
#include <unistd.h>

namespace rd {

namespace {

// OpenSSH stops following Include at this depth too, which also ends include loops.
constexpr int MaxIncludeDepth = 16;
// Far beyond any hand-written configuration; they keep a crafted file from exhausting memory or time.
constexpr qint64 MaxConfigBytes = 4 * 1024 * 1024;
constexpr qsizetype MaxLineLength = 16 * 1024;
constexpr qsizetype MaxHosts = 20000;

struct Option
{
    QString keyword; // lower case
    QStringList args;
    QString where;   // "file:line", for messages
};

struct Block
{
    QStringList patterns; // empty: the part before the first Host, which applies to every host
    bool match = false;
    QList<Option> options;
};

bool isPattern(const QString &entry)
{
    return entry.startsWith(u'!') || entry.contains(u'*') || entry.contains(u'?');
}

// A Host line applies when one of its patterns matches and none of its negated ones does.
bool blockApplies(const Block &block, const QString &alias)
{
    if (block.match)
        return false;
    if (block.patterns.isEmpty())
        return true;
    bool matched = false;
    for (const QString &pattern : block.patterns) {
        if (pattern.startsWith(u'!')) {
            if (Wildcard::matches(QStringView(pattern).mid(1), alias))
                return false;
        } else if (Wildcard::matches(pattern, alias)) {
            matched = true;
        }
    }
    return matched;
}

// Splits the arguments as ssh does: blanks separate, quotes group, a '#' word starts a comment.
std::optional<QStringList> splitArguments(QStringView text)
{
    QStringList words;
    qsizetype i = 0;
    while (i < text.size()) {
        while (i < text.size() && text[i].isSpace())
            ++i;
        if (i >= text.size())
            break;
        if (text[i] == u'#')
            break;
        QString word;
        while (i < text.size() && !text[i].isSpace()) {
            const QChar c = text[i];
            if (c == u'"' || c == u'\'') {
                const qsizetype close = text.indexOf(c, i + 1);
                if (close < 0)
                    return std::nullopt;
                word += text.mid(i + 1, close - i - 1);
                i = close + 1;
            } else {
                word += c;
                ++i;
            }
        }
        words.append(word);
    }
    return words;
}

QString joinPath(const QString &directory, const QString &name)
{
    return directory.endsWith(u'/') ? directory + name : directory + u'/' + name;
}

// Expands '*' and '?' in any component of an absolute path, like glob(3): sorted, hidden files only
// when the component itself starts with '.'.
QStringList globPaths(const QString &pattern)
{
    QStringList current{QStringLiteral("/")};
    for (const QString &component : pattern.split(u'/', Qt::SkipEmptyParts)) {
        QStringList next;
        for (const QString &directory : std::as_const(current)) {
            if (!isPattern(component)) {
                const QString path = joinPath(directory, component);
                if (QFileInfo::exists(path))
                    next.append(path);
                continue;
            }
            QDir::Filters filters = QDir::AllEntries | QDir::NoDotAndDotDot;
            if (component.startsWith(u'.'))
                filters |= QDir::Hidden;
            for (const QString &entry : QDir(directory).entryList({component}, filters, QDir::Name))
                next.append(joinPath(directory, entry));
        }
        current = next;
    }
    return current;
}

class ConfigParser
{
public:
    explicit ConfigParser(ImportReport &report) : m_report(report) { m_blocks.append(Block{}); }

    Result<> parse(const QString &path, int depth)
    {
        auto data = BoundedFile::read(path, MaxConfigBytes, SshConfigImporter::tr("The ssh configuration"));
        if (!data)
            return std::unexpected(data.error());
        const QStringList lines = QString::fromUtf8(*data).split(u'\n');
        for (qsizetype index = 0; index < lines.size(); ++index) {
            const QString where = QStringLiteral("%1:%2").arg(path).arg(index + 1);
            if (lines[index].size() > MaxLineLength)
                return fail(SshConfigImporter::tr("%1: the line is %2 characters long.")
                                .arg(where)
                                .arg(lines[index].size()),
                            SshConfigImporter::tr("No ssh option needs more than %1; check that this is an ssh "
                                                  "client configuration.")
                                .arg(MaxLineLength));
            const QString line = lines[index].trimmed();
            if (line.isEmpty() || line.startsWith(u'#'))
                continue;
            if (auto handled = handleLine(line, where, path, depth); !handled)
                return handled;
        }
        return {};
    }

    const QList<Block> &blocks() const { return m_blocks; }
    const QStringList &aliases() const { return m_aliases; }

private:
    Result<> handleLine(const QString &line, const QString &where, const QString &path, int depth)
    {
        qsizetype end = 0;
        while (end < line.size() && !line[end].isSpace() && line[end] != u'=')
            ++end;
        qsizetype rest = end;
        while (rest < line.size() && line[rest].isSpace())
            ++rest;
        if (rest < line.size() && line[rest] == u'=')
            ++rest;
        const auto args = splitArguments(QStringView(line).mid(rest));
        if (!args)
            return fail(SshConfigImporter::tr("%1: a quote is not closed.").arg(where),
                        SshConfigImporter::tr("Close the quote, as ssh would refuse this file too."));
        return handle(Option{line.left(end).toLower(), *args, where}, path, depth);
    }

    Result<> handle(const Option &option, const QString &path, int depth)
    {
        if (option.keyword == u"host") {
            Block block;
            block.patterns = option.args;
            for (const QString &entry : option.args) {
                if (isPattern(entry))
                    m_report.warnings.append(
                        SshConfigImporter::tr("%1: the host pattern \"%2\" is not a server of its own; its settings "
                                              "apply to the hosts it matches.")
                            .arg(option.where, entry));
                else if (!m_aliasSet.contains(entry)) {
                    if (m_aliases.size() >= MaxHosts)
                        return fail(SshConfigImporter::tr("%1: the configuration names more than %2 hosts.")
                                        .arg(option.where)
                                        .arg(MaxHosts),
                                    SshConfigImporter::tr("Split it, or import the fleet from an Ansible or JSON "
                                                          "inventory."));
                    m_aliasSet.insert(entry);
                    m_aliases.append(entry);
                }
            }
            m_blocks.append(block);
        } else if (option.keyword == u"match") {
            Block block;
            block.match = true;
            m_blocks.append(block);
            m_report.warnings.append(SshConfigImporter::tr("%1: the Match block \"%2\" was skipped: its conditions "
                                                           "depend on the moment of connection.")
                                         .arg(option.where, option.args.join(u' ')));
        } else if (option.keyword == u"include") {
            for (const QString &argument : option.args) {
                if (auto included = include(argument, option.where, path, depth); !included)
                    return included;
            }
        } else if (!m_blocks.last().match) {
            m_blocks.last().options.append(option);
        }
        return {};
    }

    Result<> include(const QString &argument, const QString &where, const QString &path, int depth)
    {
        if (depth >= MaxIncludeDepth)
            return fail(SshConfigImporter::tr("%1: Include is nested more than %2 levels deep.")
                            .arg(where)
                            .arg(MaxIncludeDepth),
                        SshConfigImporter::tr("Check the configuration for files that include each other."));
        // As ssh does for the user's config: ~ is the home directory, relative paths are in ~/.ssh.
        QString pattern = argument;
        if (pattern.startsWith(QStringLiteral("~/")))
            pattern = joinPath(QDir::homePath(), pattern.mid(2));
        else if (!pattern.startsWith(u'/'))
            pattern = joinPath(QDir::homePath() + QStringLiteral("/.ssh"), pattern);
        const QStringList files = globPaths(pattern);
        if (files.isEmpty())
            m_report.warnings.append(
                SshConfigImporter::tr("%1: Include \"%2\" matches no file.").arg(where, argument));
        for (const QString &file : files) {
            if (QFileInfo(file).isDir() || file == path)
                continue;
            if (auto parsed = parse(file, depth + 1); !parsed)
                return parsed;
        }
        return {};
    }

    ImportReport &m_report;
    QList<Block> m_blocks;
    QStringList m_aliases;
    QSet<QString> m_aliasSet;
};

struct HostSettings
{
    QString hostName;
    QString port;
    QString user;
    QStringList identityFiles;
};

// Which blocks may apply to an alias: those with wildcards or negations are tried for every alias,
// a block of plain names only for those names, so a fleet of Host lines costs linear time, not square.
class BlockIndex
{
public:
    explicit BlockIndex(const QList<Block> &blocks) : m_blocks(blocks)
    {
        for (qsizetype i = 0; i < blocks.size(); ++i) {
            const Block &block = blocks[i];
            if (block.match)
                continue;
            if (block.patterns.isEmpty() || std::ranges::any_of(block.patterns, isPattern)) {
                m_everyAlias.append(i);
                continue;
            }
            for (const QString &name : block.patterns)
                m_byName[name.toLower()].append(i);
        }
    }

    HostSettings settingsFor(const QString &alias) const
    {
        QList<qsizetype> candidates = m_everyAlias + m_byName.value(alias.toLower());
        std::ranges::sort(candidates);
        const auto [first, last] = std::ranges::unique(candidates);
        candidates.erase(first, last);
        HostSettings settings;
        for (qsizetype index : std::as_const(candidates)) {
            if (blockApplies(m_blocks[index], alias))
                apply(m_blocks[index], settings);
        }
        return settings;
    }

private:
    static void apply(const Block &block, HostSettings &settings)
    {
        for (const Option &option : block.options) {
            if (option.args.isEmpty())
                continue;
            const QString &value = option.args.first();
            if (option.keyword == u"hostname" && settings.hostName.isEmpty()) {
                settings.hostName = value;
            } else if (option.keyword == u"port" && settings.port.isEmpty()) {
                settings.port = value;
            } else if (option.keyword == u"user" && settings.user.isEmpty()) {
                settings.user = value;
            } else if (option.keyword == u"identityfile") {
                // Unlike other options ssh collects every IdentityFile, in order.
                settings.identityFiles.append(value);
            }
        }
    }

    const QList<Block> &m_blocks;
    QList<qsizetype> m_everyAlias;
    QHash<QString, QList<qsizetype>> m_byName;
};

// Expands the tokens that have one meaning at import time; nullopt for the others (%C, %l, ...).
std::optional<QString> expandTokens(const QString &text, const QString &alias, const QString &host,
                                    const QString &user, int port)
{
    QString out;
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (text[i] != u'%') {
            out += text[i];
            continue;
        }
        if (++i >= text.size())
            return std::nullopt;
        switch (text[i].unicode()) {
        case u'%':
            out += u'%';
            break;
        case u'd':
            out += QDir::homePath();
            break;
        case u'u':
            out += SshConfigImporter::localUserName();
            break;
        case u'h':
            out += host;
            break;
        case u'n':
            out += alias;
            break;
        case u'r':
            out += user;
            break;
        case u'p':
            out += QString::number(port);
            break;
        default:
            return std::nullopt;
        }
    }
    return out;
}

QString validKeyName(const QString &raw)
{
    QString name;
    for (QChar c : raw) {
        const bool allowed = (c.unicode() < 128 && c.isLetterOrNumber()) || c == u'.' || c == u'_' || c == u'-';
        name += allowed ? c : u'-';
    }
    while (!name.isEmpty() && !(name.front().unicode() < 128 && name.front().isLetterOrNumber()))
        name.remove(0, 1);
    if (name.isEmpty())
        name = QStringLiteral("key");
    return name.left(56);
}

QString uniqueKeyName(const InventoryStore &store, const QString &base)
{
    QString name = base;
    for (int n = 2; store.keyId(name); ++n)
        name = base + u'-' + QString::number(n);
    return name;
}

Result<qint64> addKey(InventoryStore &store, SshKey key, const QString &baseName, ImportReport &report)
{
    key.name = uniqueKeyName(store, validKeyName(baseName));
    auto id = store.addKey(key);
    if (!id)
        return std::unexpected(Error{SshConfigImporter::tr("The key for %1 could not be created: %2")
                                         .arg(key.kind == KeyKind::File ? key.keyPath : key.username,
                                              id.error().message),
                                     id.error().hint, id.error().field});
    ++report.added;
    return *id;
}

} // namespace

QString SshConfigImporter::localUserName()
{
    const QString user = qEnvironmentVariable("USER");
    if (!user.isEmpty())
        return user;
    const passwd *entry = getpwuid(getuid());
    return entry ? QString::fromLocal8Bit(entry->pw_name) : QString();
}

Result<qint64> SshConfigImporter::fileKey(InventoryStore &store, const QString &absolutePath, const QString &username,
                                          ImportReport &report)
{
    auto keys = store.keys();
    if (!keys)
        return std::unexpected(keys.error());
    for (const SshKey &key : *keys) {
        if (key.kind == KeyKind::File && key.keyPath == absolutePath && key.username == username)
            return key.id;
    }
    SshKey key;
    key.kind = KeyKind::File;
    key.keyPath = absolutePath;
    key.username = username;
    return addKey(store, key, QFileInfo(absolutePath).fileName(), report);
}

Result<qint64> SshConfigImporter::agentKey(InventoryStore &store, const QString &username, ImportReport &report)
{
    auto keys = store.keys();
    if (!keys)
        return std::unexpected(keys.error());
    for (const SshKey &key : *keys) {
        if (key.kind == KeyKind::Agent && key.username == username)
            return key.id;
    }
    SshKey key;
    key.kind = KeyKind::Agent;
    key.username = username;
    return addKey(store, key, QStringLiteral("agent-") + username, report);
}

Result<ImportReport> SshConfigImporter::import(InventoryStore &store, const QString &configPath)
{
    ImportReport report;
    ConfigParser parser(report);
    if (auto parsed = parser.parse(QFileInfo(configPath).absoluteFilePath(), 0); !parsed)
        return std::unexpected(parsed.error());

    const BlockIndex blocks(parser.blocks());
    auto written = store.transaction([&]() -> Result<> {
        for (const QString &alias : parser.aliases()) {
            const HostSettings settings = blocks.settingsFor(alias);
            auto skip = [&](const QString &why) {
                ++report.skipped;
                report.warnings.append(tr("Host \"%1\" was skipped: %2").arg(alias, why));
            };
            if (auto error = Validator::name(alias)) {
                skip(error->text());
                continue;
            }
            int port = 22;
            if (!settings.port.isEmpty()) {
                if (auto error = Validator::port(settings.port, &port)) {
                    skip(error->text());
                    continue;
                }
            }
            const QString loginUser = settings.user.isEmpty() ? localUserName() : settings.user;
            const auto host = expandTokens(settings.hostName.isEmpty() ? alias : settings.hostName, alias, alias,
                                           loginUser, port);
            if (!host) {
                skip(tr("its HostName \"%1\" uses a %-token that has no value at import time.")
                         .arg(settings.hostName));
                continue;
            }

            Server server;
            const qint64 existingId = store.serverId(alias);
            if (existingId) {
                auto existing = store.server(existingId);
                if (!existing)
                    return std::unexpected(existing.error());
                server = *existing;
            }
            server.name = alias;
            server.host = *host;
            server.port = port;
            server.username = settings.user;
            server.keyId = 0;
            QList<Error> errors = Validator::check(server);
            if (auto error = Validator::username(loginUser))
                errors.append(*error);
            if (!errors.isEmpty()) {
                skip(Validator::combine(errors).text());
                continue;
            }

            QString identityFile;
            if (!settings.identityFiles.isEmpty()) {
                const auto expanded = expandTokens(settings.identityFiles.first(), alias, *host, loginUser, port);
                if (!expanded) {
                    skip(tr("its IdentityFile \"%1\" uses a %-token that has no value at import time.")
                             .arg(settings.identityFiles.first()));
                    continue;
                }
                identityFile = *expanded;
                if (identityFile.startsWith(QStringLiteral("~/")))
                    identityFile = QDir::homePath() + identityFile.mid(1);
                else if (!identityFile.startsWith(u'/'))
                    identityFile = QDir::homePath() + u'/' + identityFile;
                identityFile = QDir::cleanPath(identityFile);
                if (settings.identityFiles.size() > 1)
                    report.warnings.append(tr("Host \"%1\" names %2 identity files; the first, %3, is used.")
                                               .arg(alias)
                                               .arg(settings.identityFiles.size())
                                               .arg(identityFile));
            }
            auto keyId = identityFile.isEmpty() ? agentKey(store, loginUser, report)
                                                : fileKey(store, identityFile, loginUser, report);
            if (!keyId)
                return std::unexpected(keyId.error());
            server.keyId = *keyId;

            if (existingId) {
                if (auto saved = store.updateServer(server); !saved)
                    return saved;
                ++report.updated;
            } else {
                if (auto added = store.addServer(server); !added)
                    return std::unexpected(added.error());
                ++report.added;
            }
        }
        return {};
    });
    if (!written)
        return std::unexpected(written.error());
    return report;
}

} // namespace rd
