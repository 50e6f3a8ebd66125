// The validator: whatever it accepts has the shape the rest of the program relies on (names and
// paths that reach a remote shell, hosts that reach ssh, branches git itself accepts).
#include "fuzzsupport.h"

#include "inventory/validator.h"

#include <git2.h>

namespace {

using rd::fuzz::require;

bool only(const QString &value, const char *allowedPunctuation)
{
    for (QChar c : value) {
        const bool alphanumeric = c.unicode() < 128 && c.isLetterOrNumber();
        if (!alphanumeric && (c.unicode() >= 128 || !std::strchr(allowedPunctuation, c.toLatin1()) || c == u'\0'))
            return false;
    }
    return true;
}

bool cleanComponents(const QStringList &parts)
{
    return std::ranges::none_of(parts, [](const QString &part) {
        return part.isEmpty() || part == u"." || part == u"..";
    });
}

void checkPath(const QString &value)
{
    if (!rd::Validator::deployRoot(value)) {
        require(value.startsWith(u'/') && only(value, "._/@+-"), "a deploy root is an absolute plain path");
        require(cleanComponents(value.split(u'/').mid(1)), "a deploy root has no empty, . or .. part");
    }
    if (!rd::Validator::sharedPath(value)) {
        require(!value.startsWith(u'/') && only(value, "._/@+-"), "a shared path is a relative plain path");
        require(cleanComponents(value.split(u'/')), "a shared path has no empty, . or .. part");
    }
}

void checkBranch(const QString &value)
{
    static const bool initialised = git_libgit2_init() > 0;
    require(initialised, "libgit2 starts");
    if (rd::Validator::branch(value))
        return;
    int valid = 0;
    const QByteArray reference = "refs/heads/" + value.toUtf8();
    require(git_reference_name_is_valid(&valid, reference.constData()) == 0 && valid, "git accepts the branch");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rd::fuzz::Environment::get();
    const QString value = QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(size));
    if (!rd::Validator::name(value)) {
        require(value.size() <= 64 && only(value, "._-"), "a name is plain and short");
        require(!value.startsWith(u'.') && !value.startsWith(u'-') && !value.startsWith(u'_'),
                "a name starts with a letter or digit");
    }
    if (!rd::Validator::username(value))
        require(value.size() <= 32 && only(value, "._-") && !value.startsWith(u'-'), "a login is plain");
    if (!rd::Validator::host(value))
        require(only(value, ".:-[]") && !value.startsWith(u'-') && value.size() <= 255,
                "a host cannot become an ssh option or a shell word");
    if (!rd::Validator::gitUrl(value)) {
        require(!value.startsWith(u'-'), "a git URL is not an option");
        // A local path reaches libgit2 only, which has no remote helpers; any other form must not name one.
        require(value.startsWith(u'/') || !value.contains(QStringLiteral("::")) ||
                    value.contains(QStringLiteral("://")),
                "a git URL runs no remote helper");
    }
    int port = 0;
    if (!rd::Validator::port(value, &port))
        require(port >= 1 && port <= 65535, "a port is in range");
    checkPath(value);
    checkBranch(value);
    rd::Validator::tag(value);
    rd::Validator::freeText(value, QStringLiteral("notes"), 2000, true);
    return 0;
}
