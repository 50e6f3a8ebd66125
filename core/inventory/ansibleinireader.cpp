#include "ansibleinireader.h"

#include "ansibleinventory.h"

namespace rd::ansible {

namespace {

// Splits a host line as Ansible's shlex does: blanks separate, '...' is literal, "..." knows \" \\ \n \t.
Result<QStringList> splitWords(const QString &line, int lineNumber)
{
    QStringList words;
    qsizetype i = 0;
    while (i < line.size()) {
        while (i < line.size() && line[i].isSpace())
            ++i;
        if (i >= line.size() || line[i] == u'#')
            break;
        QString word;
        while (i < line.size() && !line[i].isSpace()) {
            const QChar c = line[i];
            if (c == u'\'') {
                const qsizetype close = line.indexOf(u'\'', i + 1);
                if (close < 0)
                    return std::unexpected(
                        lineError(lineNumber, AnsibleInventory::tr("a quote is not closed.")));
                word += line.mid(i + 1, close - i - 1);
                i = close + 1;
            } else if (c == u'"') {
                ++i;
                bool closed = false;
                while (i < line.size()) {
                    QChar d = line[i++];
                    if (d == u'"') {
                        closed = true;
                        break;
                    }
                    if (d == u'\\' && i < line.size()) {
                        d = line[i++];
                        word += d == u'n' ? QChar(u'\n') : d == u't' ? QChar(u'\t') : d;
                    } else {
                        word += d;
                    }
                }
                if (!closed)
                    return std::unexpected(
                        lineError(lineNumber, AnsibleInventory::tr("a quote is not closed.")));
            } else {
                word += c;
                ++i;
            }
        }
        words.append(word);
    }
    return words;
}

} // namespace

Result<Model> readIni(const QByteArray &data)
{
    Model model;
    enum class Kind
    {
        Hosts,
        Vars,
        Children
    };
    QString section = UngroupedGroup;
    Kind kind = Kind::Hosts;
    model.group(AllGroup, 0);
    const QStringList lines = QString::fromUtf8(data).split(u'\n');
    for (qsizetype index = 0; index < lines.size(); ++index) {
        const int lineNumber = int(index + 1);
        const QString line = lines[index].trimmed();
        if (line.isEmpty() || line.startsWith(u'#') || line.startsWith(u';'))
            continue;
        if (line.startsWith(u'[')) {
            if (!line.endsWith(u']'))
                return std::unexpected(lineError(
                    lineNumber, AnsibleInventory::tr("the section header \"%1\" is not closed.").arg(line)));
            const QString inner = line.mid(1, line.size() - 2).trimmed();
            const qsizetype colon = inner.lastIndexOf(u':');
            const QString suffix = colon < 0 ? QString() : inner.mid(colon + 1);
            section = colon < 0 ? inner : inner.left(colon);
            if (suffix.isEmpty() && colon < 0)
                kind = Kind::Hosts;
            else if (suffix == u"vars")
                kind = Kind::Vars;
            else if (suffix == u"children")
                kind = Kind::Children;
            else
                return std::unexpected(
                    lineError(lineNumber, AnsibleInventory::tr("the section \"%1\" is not a group, :vars or "
                                                               ":children section.")
                                              .arg(line)));
            if (section.isEmpty() || section.contains(u' '))
                return std::unexpected(lineError(
                    lineNumber, AnsibleInventory::tr("the group name in \"%1\" is not valid.").arg(line)));
            model.group(section, lineNumber);
            if (auto error = model.overLimits(lineNumber))
                return std::unexpected(*error);
            continue;
        }
        switch (kind) {
        case Kind::Hosts: {
            auto words = splitWords(line, lineNumber);
            if (!words)
                return std::unexpected(words.error());
            QString pattern = words->takeFirst();
            Vars vars;
            for (const QString &word : *words) {
                const qsizetype equals = word.indexOf(u'=');
                if (equals <= 0)
                    return std::unexpected(lineError(
                        lineNumber,
                        AnsibleInventory::tr("\"%1\" is not a key=value host variable.").arg(word)));
                vars.insert(word.left(equals), word.mid(equals + 1));
            }
            // "host:port", Ansible's short form (one colon only: IPv6 addresses have several).
            if (pattern.count(u':') == 1 && !pattern.contains(u'[')) {
                const qsizetype colon = pattern.indexOf(u':');
                vars.insert(PortVar, pattern.mid(colon + 1));
                pattern.truncate(colon);
            }
            auto names = expandRanges(pattern, lineNumber);
            if (!names)
                return std::unexpected(names.error());
            for (const QString &name : *names) {
                HostEntry &host = model.host(name, lineNumber);
                host.vars.insert(vars);
                model.group(section, lineNumber).addHost(name);
            }
            if (auto error = model.overLimits(lineNumber))
                return std::unexpected(*error);
            break;
        }
        case Kind::Vars: {
            const qsizetype equals = line.indexOf(u'=');
            if (equals <= 0)
                return std::unexpected(lineError(
                    lineNumber, AnsibleInventory::tr("\"%1\" is not a key=value group variable.").arg(line)));
            const QString raw = line.mid(equals + 1).trimmed();
            auto words = splitWords(raw, lineNumber);
            if (!words)
                return std::unexpected(words.error());
            model.group(section, lineNumber)
                .vars.insert(line.left(equals).trimmed(), words->size() == 1 ? words->first() : raw);
            break;
        }
        case Kind::Children: {
            if (line.contains(u' '))
                return std::unexpected(
                    lineError(lineNumber, AnsibleInventory::tr("\"%1\" is not a group name.").arg(line)));
            model.group(line, lineNumber);
            model.group(section, lineNumber).addChild(line);
            if (auto error = model.overLimits(lineNumber))
                return std::unexpected(*error);
            break;
        }
        }
    }
    return model;
}

} // namespace rd::ansible
