#include "hostkeydialog.h"

#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace rd {

namespace {

QString verifyCommand(const QString &keyType)
{
    // OpenSSH names its host key files after the algorithm family.
    QString family = QStringLiteral("ed25519");
    if (keyType.startsWith(u"ecdsa"))
        family = QStringLiteral("ecdsa");
    else if (keyType.contains(u"rsa"))
        family = QStringLiteral("rsa");
    return QStringLiteral("ssh-keygen -lf /etc/ssh/ssh_host_%1_key.pub").arg(family);
}

QLabel *selectableLabel(const QString &text, const QString &objectName)
{
    auto *label = new QLabel(text);
    label->setObjectName(objectName);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    return label;
}

} // namespace

HostKeyDialog::HostKeyDialog(const HostKeyInfo &info, const QString &serverName, QWidget *parent) : QDialog(parent)
{
    setObjectName(QStringLiteral("hostKeyDialog"));
    // A server whose key of another type is known is not new: the dialog says which key it knows.
    const bool otherKnown = !info.otherKnownKey.isEmpty();
    setWindowTitle(otherKnown ? tr("Host key of another type") : tr("Unknown host key"));
    setModal(true);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(20, 20, 20, 16);
    layout->setSpacing(12);

    auto *intro = new QLabel(
        otherKnown ? tr("ReleaseDesk knows a key of <b>%1</b> (%2), but this connection was offered the key below, "
                        "of another type. Trust it only if it matches the server's own key.")
                         .arg(serverName.toHtmlEscaped(), info.otherKnownKey.toHtmlEscaped())
                   : tr("ReleaseDesk has not connected to <b>%1</b> before. Its server sent the host key "
                        "below; trust it only if it matches the server's own key.")
                         .arg(serverName.toHtmlEscaped()));
    intro->setObjectName(QStringLiteral("introLabel"));
    intro->setWordWrap(true);
    layout->addWidget(intro);

    auto *form = new QFormLayout;
    form->setLabelAlignment(Qt::AlignRight);
    form->addRow(tr("Server"), selectableLabel(serverName, QStringLiteral("serverLabel")));
    form->addRow(tr("Address"),
                 selectableLabel(tr("%1 port %2").arg(info.host).arg(info.port), QStringLiteral("addressLabel")));
    form->addRow(tr("Key type"), selectableLabel(info.type, QStringLiteral("keyTypeLabel")));
    QLabel *fingerprint = selectableLabel(info.fingerprint, QStringLiteral("fingerprintLabel"));
    QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    fingerprint->setFont(mono);
    form->addRow(tr("Fingerprint"), fingerprint);
    layout->addLayout(form);

    auto *how = new QLabel(tr("To verify it, run this on the server (or ask its administrator) and compare the "
                              "SHA256 fingerprint it prints:"));
    how->setWordWrap(true);
    layout->addWidget(how);
    QLabel *command = selectableLabel(verifyCommand(info.type), QStringLiteral("verifyCommandLabel"));
    command->setFont(mono);
    command->setStyleSheet(QStringLiteral("QLabel { background: palette(base); border: 1px solid palette(mid); "
                                          "border-radius: 3px; padding: 4px 6px; }"));
    layout->addWidget(command);

    auto *buttons = new QDialogButtonBox;
    QPushButton *remember = buttons->addButton(tr("Trust and remember"), QDialogButtonBox::AcceptRole);
    remember->setObjectName(QStringLiteral("rememberButton"));
    remember->setToolTip(tr("Connect, and store the key in ReleaseDesk's known_hosts for later connections."));
    QPushButton *once = buttons->addButton(tr("Trust once"), QDialogButtonBox::AcceptRole);
    once->setObjectName(QStringLiteral("acceptOnceButton"));
    once->setToolTip(tr("Connect this time without storing the key; you will be asked again next time."));
    QPushButton *rejectButton = buttons->addButton(tr("Reject"), QDialogButtonBox::RejectRole);
    rejectButton->setObjectName(QStringLiteral("rejectButton"));
    rejectButton->setToolTip(tr("Do not connect."));
    // A reflexive Enter must not trust a key.
    for (QPushButton *button : {remember, once})
        button->setAutoDefault(false);
    rejectButton->setDefault(true);
    rejectButton->setFocus();
    connect(remember, &QPushButton::clicked, this, [this] { decide(HostKeyDecision::Remember); });
    connect(once, &QPushButton::clicked, this, [this] { decide(HostKeyDecision::AcceptOnce); });
    connect(rejectButton, &QPushButton::clicked, this, &HostKeyDialog::reject);
    layout->addWidget(buttons);
}

void HostKeyDialog::decide(HostKeyDecision decision)
{
    m_decision = decision;
    QDialog::accept();
}

void HostKeyDialog::reject()
{
    m_decision = HostKeyDecision::Reject;
    QDialog::reject();
}

} // namespace rd
