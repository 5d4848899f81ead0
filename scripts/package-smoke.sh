#!/usr/bin/env bash
# Packs every library and the objlog tool into a local folder, installs the libraries into a fresh console project
# and the tool into a temporary tool path, and runs both: what a user gets from NuGet, before it is published.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
feed="$work/feed"
for p in ObjectLog ObjectLog.S3 ObjectLog.Azure ObjectLog.Extensions.Logging ObjectLog.Extensions.Hosting Serilog.Sinks.ObjectLog ObjectLog.Cli; do
  dotnet pack "src/$p" -c Release -o "$feed" -p:CI=true --nologo -v q
done
ls "$feed"
# The version MinVer gave this commit (0.1.0-alpha.0.N until a v* tag), read from what was packed.
version=$(cd "$feed" && ls ObjectLog.Cli.[0-9]*.nupkg)
version=${version#ObjectLog.Cli.}
version=${version%.nupkg}
echo "packed version $version"

# The libraries, as a user adds them (NuGet.org, through the machine's source, serves their dependencies).
mkdir "$work/sample"
cp samples/PackageSmoke/Program.cs "$work/sample/"
(
  cd "$work/sample"
  cat > PackageSmoke.csproj <<'PROJ'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
  </PropertyGroup>
</Project>
PROJ
  echo '<Project />' > Directory.Build.props   # not the repository's settings: a user's project has none of them
  echo '<Project />' > Directory.Packages.props
  # The local folder beside the machine's own sources (which serve the dependencies).
  dotnet new nugetconfig >/dev/null
  dotnet nuget add source "$feed" --name local >/dev/null
  for src in $(dotnet nuget list source --format short --configfile "$HOME/.nuget/NuGet/NuGet.Config" 2>/dev/null | awk '/^E/ {print $2}'); do
    dotnet nuget add source "$src" --name "machine-$RANDOM" >/dev/null 2>&1 || true
  done
  for p in ObjectLog ObjectLog.S3 ObjectLog.Azure ObjectLog.Extensions.Logging ObjectLog.Extensions.Hosting Serilog.Sinks.ObjectLog; do
    dotnet add package "$p" --version "$version" >/dev/null
  done
  dotnet run | tee -a /dev/stderr | grep -qx 'package smoke: ok'
)

# The README's quick start, followed literally: its block of commands, run in order from a clone, with the hosting
# example as Program.cs. It runs under a home of its own, so the tool it installs and the NuGet source it adds stay
# in $work (the machine's NuGet.Config and package folder are reused: they serve the dependencies).
git clone -q "$repo" "$work/objectlog"
mkdir -p "$work/home/.nuget/NuGet"
cp "$HOME/.nuget/NuGet/NuGet.Config" "$work/home/.nuget/NuGet/"
awk '/<!-- hosting-example -->/ {on=1; next} on && /^```csharp/ {next} on && /^```/ {exit} on' README.md > "$work/Program.cs"
awk '/<!-- quickstart -->/ {on=1; next} on && /^```sh/ {next} on && /^```/ {exit} on' README.md \
  | sed "s|^# Program.cs:.*|cp '$work/Program.cs' Program.cs|" > "$work/quickstart.sh"
grep -q "^cp '$work/Program.cs'" "$work/quickstart.sh"   # the README still says where Program.cs goes
packages="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
(
  cd "$work/objectlog"
  export HOME="$work/home" NUGET_PACKAGES="$packages"
  bash -euo pipefail "$work/quickstart.sh"
) | tee "$work/quickstart.out"
grep -qx '1 order stored' "$work/quickstart.out"
grep -q '"properties":{"OrderId":42,"Customer":"ada"}' "$work/quickstart.out"

# The tool, as the README installs it (with --tool-path instead of -g, so nothing outside $work changes).
dotnet tool install --tool-path "$work/tools" --prerelease --add-source "$feed" ObjectLog.Cli
(cd "$work" && "$work/tools/objlog" demo | tail -3)
