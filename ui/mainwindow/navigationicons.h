#pragma once

#include <QIcon>

namespace rd {

// The navigation icons, drawn here so they need neither an icon theme nor an SVG plugin.
class NavigationIcons
{
public:
    enum class Glyph { Key, Server, Project, Environment, Hook, Release, History, Fleet };
    static QIcon icon(Glyph glyph);
};

} // namespace rd
