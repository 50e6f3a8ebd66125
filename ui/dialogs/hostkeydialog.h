#pragma once

#include "hostkeys/hostkeyinfo.h"

#include <QDialog>

class QPushButton;

namespace rd {

// First contact with a server: shows the key it offered and lets the operator trust it for good,
// for this connection only, or reject it. Reject is the default and what Escape or closing means.
class HostKeyDialog : public QDialog
{
    Q_OBJECT

public:
    HostKeyDialog(const HostKeyInfo &info, const QString &serverName, QWidget *parent = nullptr);

    HostKeyDecision decision() const { return m_decision; }

    void reject() override;

private:
    void decide(HostKeyDecision decision);

    HostKeyDecision m_decision = HostKeyDecision::Reject;
};

} // namespace rd
